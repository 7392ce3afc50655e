"""The device's side of the server: the pinned HTTPS transport (transport.py);
the background sync worker comes later."""
