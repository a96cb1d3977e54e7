"""Home for each role, health check, accessibility statement."""
