"""Activities: the only place the escrow process touches the bank and the database."""
