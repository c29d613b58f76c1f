-- One version per condition (puskesmas + id): the latest by meta.lastUpdated, export month, line.
{{ latest_version(ref('stg_fhir__condition'), 'condition_id') }}
