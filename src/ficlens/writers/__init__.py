"""Writers: the `Story` out as JSON, HTML or tables."""
