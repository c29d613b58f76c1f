"""The monthly PWS report: one self-contained HTML file per puskesmas and per kabupaten/kota."""
