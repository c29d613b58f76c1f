-- One version per patient (puskesmas + id): the latest by meta.lastUpdated, export month, line.
{{ latest_version(ref('stg_fhir__patient'), 'patient_id') }}
