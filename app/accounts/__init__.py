"""People, roles, sign-in, sessions, invitations and passwords."""
