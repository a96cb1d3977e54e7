"""The partnership: its areas, organisations, statutory partners and sign-off rule."""
