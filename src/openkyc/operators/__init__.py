"""Back-office operators: accounts, sign-in, second factor and server-side sessions."""
