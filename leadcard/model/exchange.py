"""What names a JSON export: the reader checks both before restoring one."""

EXPORT_FORMAT = "leadcard"
# 2: the whole store travels under "store" (tables as stored), so that import restores it exactly.
EXPORT_VERSION = 2
