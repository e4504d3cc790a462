namespace Cdd.Vm;

/// <summary>The two shell scripts the guest runs: the initramfs /init (busybox) and the agent on the switched root.</summary>
public static class GuestScripts
{
    /// <summary>Where the read-write exchange share is mounted in the guest.</summary>
    public const string Share = "/vmshare";

    /// <summary>
    /// Stage 1, PID 1 in the initramfs: load the 9p/overlay modules, mount the host's / read-only with a
    /// tmpfs upper layer, mount the exchange share, and switch_root into the host's own /bin/sh running
    /// the agent from the share. busybox's switch_root moves nothing, so /dev is moved by hand.
    /// </summary>
    public const string Init = """
        #!/bin/busybox sh
        export PATH=/bin
        /bin/busybox --install -s /bin
        mount -t proc proc /proc
        mount -t devtmpfs devtmpfs /dev
        fail() { echo "cdd-vm init: $*" > /dev/console; poweroff -f; }
        for m in $(cat /modules/order); do insmod "$m" || fail "insmod $m"; done
        mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /lower || fail "mount hostroot"
        mount -t tmpfs -o mode=0755 tmpfs /upper || fail "mount tmpfs"
        mkdir -p /upper/data /upper/work
        mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work overlay /newroot || fail "mount overlay"
        mkdir -p /newroot/vmshare
        mount -t 9p -o trans=virtio,version=9p2000.L,rw,msize=262144 vmshare /newroot/vmshare || fail "mount vmshare"
        mount --move /dev /newroot/dev
        umount /proc
        exec switch_root /newroot /bin/sh /vmshare/agent.sh
        """;

    /// <summary>
    /// Stage 2, PID 1 on the overlay root: mount the API filesystems (busybox's mount for /proc: util-linux's
    /// left it unmounted here), bring up lo and the user-mode NIC, write <c>ready</c>, then run each request
    /// <c>req/N.sh</c> the host drops into the share, answering with <c>res/N.out</c>, <c>res/N.err</c> and,
    /// last, <c>res/N.rc</c>. The file <c>shutdown</c> ends the loop and powers the guest off.
    /// </summary>
    public const string Agent = """
        #!/bin/sh
        export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb
        busybox mount -t proc proc /proc
        busybox mount -t sysfs sysfs /sys
        mkdir -p /dev/pts /dev/shm
        busybox mount -t devpts devpts /dev/pts
        busybox mount -t tmpfs tmpfs /dev/shm
        busybox mount -t tmpfs tmpfs /run
        # /tmp stays the overlay's (writable, private to the guest): a checkout under the host's /tmp,
        # as CI's fresh clone may be, must stay visible so the guest can run out/ binaries from it.
        busybox mount -t configfs configfs /sys/kernel/config 2>/dev/null
        busybox hostname cdd-vm
        S=/vmshare
        modprobe virtio_net 2>>$S/agent.log
        modprobe virtio_blk 2>>$S/agent.log
        ip link set lo up
        if ip link show eth0 >/dev/null 2>&1; then
          ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up && ip route add default via 10.0.2.2
        fi
        mkdir -p $S/req $S/res
        { uname -r; cut -d' ' -f1 /proc/uptime; } > $S/ready.tmp && mv $S/ready.tmp $S/ready
        while [ ! -e $S/shutdown ]; do
          found=
          for req in $S/req/*.sh; do
            [ -e "$req" ] || continue
            found=1
            n=$(basename "$req" .sh)
            mv "$req" "$S/req/$n.run"
            (cd /root 2>/dev/null || cd /; exec sh "$S/req/$n.run" < /dev/null > "$S/res/$n.out" 2> "$S/res/$n.err")
            echo $? > "$S/res/$n.rc.tmp"
            sync
            mv "$S/res/$n.rc.tmp" "$S/res/$n.rc"
          done
          [ -n "$found" ] || sleep 0.1
        done
        sync
        busybox poweroff -f
        """;
}
