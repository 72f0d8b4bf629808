"""Model adapters: face detectors (Haar, MTCNN) and the LiteRT emotion classifier."""
