namespace Cdd.Operator.Placement;

/// <summary>The MGR role as performance_schema.replication_group_members reports it (single-primary mode).</summary>
internal enum MemberRole { Primary, Secondary }
