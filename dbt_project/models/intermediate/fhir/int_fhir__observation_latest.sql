-- One version per observation (puskesmas + id): the latest by meta.lastUpdated, export month, line.
{{ latest_version(ref('stg_fhir__observation'), 'observation_id') }}
