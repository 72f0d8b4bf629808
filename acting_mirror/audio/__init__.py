"""Sound out: the scene partner's voice. Speech comes from the platform's own speech
program run as a separate process (espeak-ng on Linux, ``say`` on macOS, SAPI through
PowerShell on Windows), so nothing under the GPL is linked into the app and nothing needs
the network. No Qt here (``gui`` may use it), no OpenCV, no models."""
