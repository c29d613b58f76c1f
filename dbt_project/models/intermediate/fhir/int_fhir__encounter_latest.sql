-- One version per encounter (puskesmas + id): the latest by meta.lastUpdated, export month, line.
{{ config(**kept_by_landed_file('latest_version', ['puskesmas_code', 'encounter_id'])) }}
{{ latest_version(ref('stg_fhir__encounter'), 'encounter_id') }}
