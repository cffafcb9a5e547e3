"""Pictures and other media veterans send: the 优待证 photo check."""
