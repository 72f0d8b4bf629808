"""The About box is honest about blendshapes: what they are and their weak spots."""

from acting_mirror.controllers.mirror import about_html


def test_about_explains_blendshapes_and_where_they_read_low():
    text = about_html("1.0", "model.tflite")
    assert "52 <i>blendshapes</i>" in text and "moved from rest" in text
    assert "eye widening and nose wrinkling read low on many faces" in text
    assert "not measurements of muscles" in text
