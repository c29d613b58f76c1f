-- One version per immunization (puskesmas + id): the latest by meta.lastUpdated, export month, line.
{{ config(**kept_by_landed_file('latest_version', ['puskesmas_code', 'immunization_id'])) }}
{{ latest_version(ref('stg_fhir__immunization'), 'immunization_id') }}
