"""ILP pipeline: landed posyandu and puskesmas records to published PWS tables."""
