"""Media in and out with OpenCV: sources, annotation, recording, take folders."""
