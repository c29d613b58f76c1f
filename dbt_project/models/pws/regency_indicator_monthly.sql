-- PWS per kabupaten/kota (outputs.md): sums over every kelurahan and unknown-domicile row, coverage
-- recomputed; ranked within the province.
{{ pws_aggregate(['province_code', 'regency_code', 'regency_name'], ['regency_code'], ['province_code'],
    'rank_in_province') }}
