"""Codes that may appear in the issuing state and nationality fields (ICAO 9303 Part 3, 5):
ISO 3166-1 alpha-3, Germany's single ``D``, and the ICAO codes for organisations, refugees and
stateless persons. Neither field is covered by a check digit, so an OCR error there can only be
caught by requiring a real code."""

from __future__ import annotations

import re

_ISO3 = """
ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD BGR
BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR COD COG
COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH
FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY
HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM
KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL
MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR
NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU
SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA
TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB
VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE
"""
# ICAO additions: Germany, British nationals' categories, UN bodies, EU, Kosovo, refugees and
# stateless persons, the fictional Utopia of the ICAO specimens; INP, the code Interpol's travel
# document carries as issuer (its specimen, read exactly, was refused for it), before XPO.
_ICAO = "D<< GBD GBN GBO GBP GBS UNO UNA UNK EUE RKS XBA XIM XCC XCE XCO XEC XPO XES XMP XOM XDC XXA XXB XXC XXX UTO INP"

CODES = frozenset(_ISO3.split()) | frozenset(_ICAO.split())
_WELL_FORMED = re.compile(r"[A-Z]{1,3}<{0,2}")


def is_country(code: str) -> bool:
    return code in CODES


def well_formed_code(code: str) -> bool:
    """Whether ``code`` has the shape ICAO 9303 gives a state code: three characters, letters
    padded with fillers on the right (``D<<``)."""
    return len(code) == 3 and _WELL_FORMED.fullmatch(code) is not None
