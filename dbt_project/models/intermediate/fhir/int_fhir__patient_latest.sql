-- One version per patient (puskesmas + id): the latest by meta.lastUpdated, export month, line.
{{ config(**kept_by_landed_file('latest_version', ['puskesmas_code', 'patient_id'])) }}
{{ latest_version(ref('stg_fhir__patient'), 'patient_id') }}
