-- One version per condition (puskesmas + id): the latest by meta.lastUpdated, export month, line.
{{ config(**kept_by_landed_file('latest_version', ['puskesmas_code', 'condition_id'])) }}
{{ latest_version(ref('stg_fhir__condition'), 'condition_id') }}
