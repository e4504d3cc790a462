namespace Cdd.Operator.Placement;

/// <summary>The MGR role as performance_schema.replication_group_members reports it (single-primary mode).</summary>
public enum MemberRole { Primary, Secondary }
