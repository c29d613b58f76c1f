-- One version per encounter (puskesmas + id): the latest by meta.lastUpdated, export month, line.
{{ latest_version(ref('stg_fhir__encounter'), 'encounter_id') }}
