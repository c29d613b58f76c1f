-- One version per observation (puskesmas + id): the latest by meta.lastUpdated, export month, line.
{{ config(**kept_by_landed_file('latest_version', ['puskesmas_code', 'observation_id'])) }}
{{ latest_version(ref('stg_fhir__observation'), 'observation_id') }}
