namespace Cdd.Native;

/// <summary>A failed system call: the errno and what we were doing.</summary>
public class ErrnoException : Exception
{
    public ErrnoException(Errno errno, string operation, string? detail = null)
        : base(Format(errno, operation, detail))
    {
        Errno = errno;
        Operation = operation;
    }

    public Errno Errno { get; }
    public string Operation { get; }

    /// <summary>The thing is not there: no such device, file, process, address or route.</summary>
    public bool IsNotFound => Errno is Errno.ENOENT or Errno.ENODEV or Errno.ESRCH or Errno.EADDRNOTAVAIL or Errno.ENXIO;
    public bool IsExists => Errno == Errno.EEXIST;

    /// <summary>Throws for the errno of the last libc call (read it right after the call).</summary>
    public static ErrnoException FromLast(string operation, string? detail = null) =>
        new((Errno)Tmds.Linux.LibC.errno, operation, detail);

    static string Format(Errno errno, string operation, string? detail) =>
        detail is null ? $"{operation}: {Describe(errno)}" : $"{operation} {detail}: {Describe(errno)}";

    public static string Describe(Errno errno) => errno switch
    {
        Errno.EPERM => "operation not permitted (EPERM)",
        Errno.ENOENT => "no such file or object (ENOENT)",
        Errno.ENODEV => "no such device (ENODEV)",
        Errno.EEXIST => "already exists (EEXIST)",
        Errno.EINVAL => "invalid argument (EINVAL)",
        Errno.EBUSY => "device or resource busy (EBUSY)",
        Errno.EACCES => "permission denied (EACCES)",
        Errno.ERANGE => "value out of range (ERANGE)",
        Errno.EADDRNOTAVAIL => "address not available (EADDRNOTAVAIL)",
        Errno.EOPNOTSUPP => "operation not supported (EOPNOTSUPP)",
        Errno.ENETUNREACH => "network unreachable (ENETUNREACH)",
        _ => Enum.IsDefined(errno) ? errno.ToString() : $"errno {(int)errno}",
    };
}
