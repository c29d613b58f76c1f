-- PWS per kecamatan (outputs.md), for Pokjanal Posyandu: sums over the kelurahan of the kecamatan,
-- coverage recomputed; ranked within the regency.
{{ pws_aggregate(['province_code', 'regency_code', 'district_code', 'district_name'], ['district_code'],
    ['regency_code'], 'rank_in_regency', kelurahan_only=true) }}
