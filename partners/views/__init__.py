"""Web interfaces: portal (applicants), review (staff screens), public (directory, 公示)."""
