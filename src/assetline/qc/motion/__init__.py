"""Measurements behind the motion QC gates (the checks themselves are in ``qc.checks.motion``).

- ``decode``: one cached decode per video file (frames for flash analysis, audio, stream facts);
- ``container``: container type and MP4 box order from the bytes;
- ``spec``: the file against the format's VideoSpec;
- ``loudness``: BS.1770 integrated loudness and true peak;
- ``captions``: cue timing, coverage, reading speed, burned-caption placement;
- ``onscreen``: reading time of animated text, safe zone over time;
- ``flashing``: WCAG 2.3.1 general and red flash analysis;
- ``timeline``: the motion engine's timeline as typed values.
"""
