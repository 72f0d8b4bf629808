"""Pure core: types, tracking, smoothing, scripts, scoring. No OpenCV, Qt or inference runtime."""
