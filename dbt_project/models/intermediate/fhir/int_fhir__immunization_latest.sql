-- One version per immunization (puskesmas + id): the latest by meta.lastUpdated, export month, line.
{{ latest_version(ref('stg_fhir__immunization'), 'immunization_id') }}
