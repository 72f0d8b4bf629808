"""Qt-free state and rules behind each window (mirror, rehearsal, review): plain Python,
tested without a display; the widgets in ``gui/`` bind to them."""
