#!/usr/bin/env python3
"""Build conflictmap's bundled Aleppo 2016 sample (data/aleppo-2016/).

Run from the repository root:

    python data/make_aleppo_sample.py [--source-dir ../shared/data/aleppo]

Inputs (read only):

* ``neighbourhoods-csr.geojson``: the Columbia Center for Spatial Research
  "Conflict Urbanism: Aleppo" neighbourhood polygons (MIT licence, see
  ``LICENSE-csr.txt``, which is copied next to the sample).
* ``control-changes-2016.csv``: the hand-collected change record that the
  literal ``RECORD`` below extends (the script checks that every polygon-matched
  change of that file is in ``RECORD``).

Outputs:

* ``districts.geojson``: the CSR polygons dissolved by ``NAME`` into 126
  districts, simplified (shapely.coverage_simplify) only as far as every
  district's geodesic area stays within 0.5% of the original; properties ``id``,
  ``name``, ``name_ar``.
* ``control.csv``: the 15 November 2016 baseline, the dated reports of
  ``RECORD``, and the rows inferred by the two rules stated in data/README.md.
* ``LICENSE-csr.txt``: the CSR licence.

The output is deterministic: running the script twice gives identical bytes.
data/README.md states the method; data/aleppo-2016/sources.md the research trail.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod

# --------------------------------------------------------------------------
# Geometry parameters
# --------------------------------------------------------------------------
LOCAL_CRS = "EPSG:32637"  # UTM zone 37N, metres: only for the neighbour test
OUTPUT_DECIMALS = 6  # ~0.1 m grid for the written coordinates
SIMPLIFY_TOLERANCE_DEG = 5e-5  # ~5 m; the 0.5% area check below is what bounds it
MAX_AREA_CHANGE = 0.005  # every district's area within 0.5% of the CSR original
NEIGHBOUR_GAP_M = 30.0  # CSR units are separated by street gaps; closer than this = neighbours

BASELINE_DATE = "2016-11-15"
EVACUATION_DATE = "2016-12-22"
LAST_FIGHTING_DATE = "2016-12-12"

GOV, REB, KRD, CON = "government", "rebels", "kurdish forces", "contested"
CONFIDENCES = ("confirmed", "claimed", "inferred")

# --------------------------------------------------------------------------
# Sources (every address was read for this sample; data/aleppo-2016/sources.md says what each says)
# --------------------------------------------------------------------------
SRC_MAPS = "https://datadosen.com/en/Aleppo_offensive_(November%E2%80%93December_2016)"
SRC_CITADEL = "https://arabstoday.net/en/amp/997/before-and-after-aleppo-shows-271216101202"
SRC_SAKAN = "http://kurdwatch.ezks.org/?e3917"
SRC_AYN_AT_TAL = "http://www.syriahr.com/en/?p=55751"
SRC_SULEIMAN = "http://en.chinagate.cn/2016-11/28/content_39804217.htm"
SRC_LAST_ENCLAVE = "https://almanar.com.lb/1149575"

S = {
    "ap_hanano": "http://www.seattletimes.com/nation-world/syrian-troops-capture-east-aleppo-neighborhood-from-rebels/?utm_source=RSS&utm_medium=Referral&utm_campaign=RSS_all",
    "isw_nov30": "http://iswresearch.blogspot.jp/2016/11/aleppo-campaign-update-pro-regime.html",
    "tass_nov27": "https://militarytechcooperations.wordpress.com/2016/11/28/8-aleppos-districts-liberated-from-terrorist-by-syrian-army-over-past-day/",
    "masdar_nov27": "http://fredjohs.blogspot.com/2016/11/map-update-syrian-army-kurds-continue.html",
    "afp_nov28": "http://www.chinapost.com.tw/international/middle-east/2016/11/29/485300/Syria-rebels.htm",
    "xinhua_nov28": SRC_SULEIMAN,
    "reuters_nov30": "https://en.cand.com.vn/world/Syrian-rebels-vow-to-resist-army-advances-in-Aleppo-i414030",
    "southfront_dec1": "https://astutenews.com/2016/12/overview-of-military-situation-in-aleppo-city-on-december-1-2016/",
    "syriadirect_dec5": "https://syriadirect.org/regime-forces-capture-more-of-east-aleppo-as-rebels-vie-to-regain-losses/",
    "masdar_dec5": "http://respect-discussion.blogspot.com/2016/12/map-update-syrian-army-captures-60-of.html",
    "afp_dec6": "https://newarab.com/english/news/2016/12/6/army-seizes-five-rebel-districts-in-syrias-aleppo",
    "alalam_ar_dec6": "https://www.alalam.ir/news/1893660/الجيش-يستعيد-مناطق-جديدة-بحلب-ويضيق-الخناق-على-المسلحين",
    "alalam_en_dec6": "https://en.alalam.ir/news/1893500",
    "afp_dec7": "https://www.straitstimes.com/world/middle-east/monitor-says-syrian-army-seizes-aleppo-old-city-from-rebels",
    "ap_dec7": "http://www.metronews.ca/news/world/2016/12/07/senior-russian-officer-dies-from-wounds-in-syria-s-aleppo.html",
    "manar_dec7": SRC_LAST_ENCLAVE,
    "masdar_dec7": "https://mail.derechos.org/peace/syria/doc/syr7814.html",
    "masdar_dec8": "http://repsrpskaenglish.blogspot.com/2016/12/battle-footage-of-syrian-army-capturing.html",
    "presstv_dec7": "https://parstoday.ir/en/news/west_asia-i37561",
    "storyful_dec7": "https://rumble.com/v33bf6-clashes-reported-near-aleppo-citadel-as-regime-claims-capture-of-additional.html",
    "masdar_dec11": "http://repsrpskaenglish.blogspot.com/2016/12/syrian-army-liberates-new-district-in.html",
    "sohr_dec12": "https://www.syriahr.com/en/56903/",
    "mod_dec12": "https://www.nbcnews.com/storyline/aleppos-children/syria-says-government-forces-now-control-98-percent-aleppo-n694781",
    "ap_dec12": "https://www.theepochtimes.com/syria-claims-99-percent-control-of-aleppo_2197467.html",
    "icrc_dec22": "http://www.reuters.com/article/us-mideast-crisis-syria-aleppo-redcross-idUSKBN14B2E4",
}

# --------------------------------------------------------------------------
# Baseline: who held each neighbourhood when the offensive began (15 Nov 2016)
# confidence "map": clear-cut on the mid-November front-line map (written as
# `inferred`: an area-wide source); "judgment": a call made for this sample
# (written as `inferred`, the note says why); "confirmed": a neutral report.
# --------------------------------------------------------------------------
_J = "judgment"
BASELINE: dict[str, tuple[str, str, str, str | None]] = {
    # --- Kurdish-held (YPG) enclave in the north -------------------------
    "ash-Sheikh Maqsoud": (KRD, "map", "", None),
    "as-Sakan ash-Shababi": (
        KRD,
        _J,
        "judgment: YPG/SDF took as-Sakan ash-Shababi from rebels on 27 Jul 2016 (KurdWatch); assumed still YPG-held on 15 Nov",
        SRC_SAKAN,
    ),
    # --- government-held west, north-west and outskirts ------------------
    "al-Ashrafiyeh": (
        GOV,
        _J,
        "judgment: Kurdish-majority quarter beside Sheikh Maqsoud with YPG presence reported; mid-November maps show it on the government side",
        None,
    ),
    "al-Belleramoon": (GOV, "map", "Layramoun, taken by the army in July 2016", None),
    "Rasafeh": (GOV, "map", "", None),
    "al-Khaldiyeh": (GOV, "map", "", None),
    "Nile Street": (GOV, "map", "", None),
    "az-Zuhour": (GOV, "map", "", None),
    "Tareq Ben Ziad": (GOV, "map", "", None),
    "as-Sabil": (GOV, "map", "", None),
    "Andalus": (GOV, "map", "", None),
    "az-Zahra’": (GOV, "map", "", None),
    "ash-Shahba'": (GOV, "map", "", None),
    "University of Aleppo": (GOV, "map", "", None),
    "New Aleppo": (GOV, "map", "", None),
    "al-Furqan": (GOV, "map", "", None),
    "al-Ghazali": (GOV, "map", "", None),
    "ash-Shuhada’": (GOV, "map", "", None),
    "al-A'azamiyeh": (GOV, "map", "", None),
    "al-Hamdaniyeh I": (GOV, "map", "", None),
    "al-Hamdaniyeh II": (GOV, "map", "", None),
    "al-Hamdaniyeh III": (GOV, "map", "", None),
    "al-Hamdaniyeh IV": (GOV, "map", "", None),
    "al-Hamdaniyeh V": (GOV, "map", "", None),
    "Tishreen": (GOV, "map", "", None),
    "al-Muhafaza": (GOV, "map", "", None),
    "al-Kawakbi": (GOV, "map", "", None),
    "al-Feid": (GOV, "map", "", None),
    "al-Masharqa": (GOV, "map", "west side of the Bustan al-Qasr crossing", None),
    "al-Jamiliyeh": (GOV, "map", "", None),
    "Jamal Abd an-Naser Park": (GOV, "map", "", None),
    "The Public Park": (GOV, "map", "", None),
    "al-'Aziziyeh": (GOV, "map", "", None),
    "as-Siryan (Syriac Quarter)": (GOV, "map", "", None),
    "ash-Sheikh Taha": (GOV, "map", "", None),
    "al-’Ourubeh": (GOV, "map", "", None),
    "al-Suleimaniyeh": (GOV, "map", "", None),
    "al-Midan": (GOV, "map", "front-line quarter, government side", None),
    "Beit Muheb / Jdeydeh": (GOV, "map", "Jdeideh, government side of the Old City front", None),
    "al-Hamidiyeh": (GOV, "map", "", None),
    "al-Jabriyeh": (
        GOV,
        _J,
        "judgment: front-line unit between al-Midan and Jdeideh; assigned to the government side",
        None,
    ),
    "al-Hazzazeh": (GOV, _J, "judgment: small unit beside Jdeideh; assigned to the government side", None),
    "al-Almaji": (
        GOV,
        _J,
        "judgment: small front-line unit north of Bab al-Nasr beside Jdeideh; assigned to the government side",
        None,
    ),
    "Sheikh Abu Bakr": (
        GOV,
        _J,
        "judgment: front-line unit between al-Midan/Hanano barracks (government) and Suleiman al-Halabi (rebels); assigned to the government side",
        None,
    ),
    "Hanano Barrack": (
        GOV,
        _J,
        "judgment: the Hanano barracks lie on the government side of the Hanano front on mid-November maps; assigned to the government side",
        None,
    ),
    "Maysaloon Cemetery": (
        GOV,
        _J,
        "judgment: Maysaloon was a front line beside the Hanano barracks; assigned to the government side",
        None,
    ),
    "Aleppo Citadel": (
        GOV,
        "confirmed",
        "Reuters: the army kept the Citadel throughout, surrounded on three sides and reached by a tunnel",
        SRC_CITADEL,
    ),
    "Sheikh Najjar": (GOV, "map", "industrial city, government-held since 2014", None),
    "Aleppo International Airport": (GOV, "map", "", None),
    "an-Nayrab": (GOV, "map", "Nayrab air base area", None),
    "Jibreen": (GOV, "map", "", None),
    "Industrial Area Jibreen": (GOV, "map", "", None),
    "Ad-Ramouseh Industrial District I": (
        GOV,
        _J,
        "judgment: Ramouseh industrial area, retaken by the army in September 2016; borders rebel-held al-Amiriyeh",
        None,
    ),
    "Ad-Ramouseh Industrial District II": (
        GOV,
        _J,
        "judgment: Ramouseh industrial area, retaken by the army in September 2016; borders rebel-held al-Amiriyeh",
        None,
    ),
    "Ad-Ramouseh Industrial District III": (
        GOV,
        _J,
        "judgment: Ramouseh industrial area, retaken by the army in September 2016",
        None,
    ),
    "Ad-Ramouseh Industrial District IV": (
        GOV,
        _J,
        "judgment: Ramouseh industrial area, retaken by the army in September 2016",
        None,
    ),
    # --- rebel-held east Aleppo: northern part -----------------------------
    "Ayn at-Tal": (
        REB,
        "confirmed",
        "SOHR on 27 Nov lists Ein Tal among the rebel-held northern neighbourhoods about to be cut off",
        SRC_AYN_AT_TAL,
    ),
    "Trab al-Hellok": (REB, "map", "Hellok", None),
    "Bustan al-Basha": (REB, "map", "", None),
    "ash-Sheikh Fares": (REB, "map", "", None),
    "Sheikh Kheder": (REB, "map", "Sheikh Khodr", None),
    "Ba'aiedeen": (REB, "map", "", None),
    "al-Haydariyeh": (REB, "map", "", None),
    "Hanano": (REB, "map", "Masaken Hanano", None),
    "as-Sakhour": (REB, "map", "", None),
    "as-Sakhour I": (REB, "map", "", None),
    "Jabal Badro": (REB, "map", "", None),
    "Suleiman al-Halabi": (
        REB,
        _J,
        "judgment: divided front-line quarter; the rebels held its pumping station until late November; assigned to the rebels",
        SRC_SULEIMAN,
    ),
    "al-‘Arqoub": (
        REB,
        _J,
        "judgment: between Suleiman al-Halabi and as-Sakhour, inside the rebel-held north-east",
        None,
    ),
    "al-Helwaniyeh": (REB, "map", "", None),
    "al-Besel": (
        REB,
        _J,
        "judgment: CSR unit without an Arabic name between Jabal Badro, al-Helwaniyeh and al-Ma'asaraniyeh, inside the rebel-held east",
        None,
    ),
    "al-Ma'asaraniyeh Youth Housing": (REB, "map", "", None),
    "Karm aj-Jazmati": (REB, "map", "", None),
    "ash-Sha'ar": (REB, "map", "", None),
    "Jouret ‘Awwad": (REB, "map", "", None),
    "Dahret ‘Awwad": (REB, "map", "", None),
    "Karm aj-Jabal": (REB, "map", "", None),
    "Karm al-Qaterji": (REB, "map", "", None),
    "Karm al-Myassar": (REB, "map", "", None),
    "Karm Homad": (REB, "map", "", None),
    "Qadi Askar": (REB, "map", "", None),
    "ash-Sheikh Yusef Cemetery": (REB, "map", "", None),
    "Karazdada Cemetery": (REB, "map", "", None),
    "Qarleq": (REB, "map", "Bab al-Hadid area", None),
    "ad-Dallaleen": (REB, "map", "Bab al-Hadid area", None),
    "Tatarlar": (REB, "map", "Bab al-Hadid area", None),
    "Ibn Ya'aqoub": (REB, "map", "Bab al-Hadid area", None),
    "Aghyor": (REB, "map", "Aqyul", None),
    # --- the Old City (the Citadel itself was government-held) -----------
    "al-Farafra": (
        REB,
        _J,
        "judgment: divided Old City front-line quarter north-west of the Citadel; reported taken by the army on 7 Dec; assigned to the rebels",
        None,
    ),
    "Qastal Mosht": (
        REB,
        _J,
        "judgment: Old City unit between al-Farafra and Bab al-Hadid; assigned to the rebels",
        None,
    ),
    "al-Bayyada": (REB, "map", "Old City", None),
    "Abraj": (REB, "map", "Old City", None),
    "Sajlikhan": (REB, "map", "Old City, east of the Citadel", None),
    "ad-Dudu": (REB, "map", "Old City, east of the Citadel", None),
    "Souq al-Madina": (
        REB,
        _J,
        "judgment: the souqs and the Umayyad Mosque were rebel-held, the government held the edge at the Citadel; assigned to the rebels",
        None,
    ),
    "al-‘Aqabeh": (
        REB,
        _J,
        "judgment: Old City quarter west of the souqs, inside the rebel-held walled city; assigned to the rebels",
        None,
    ),
    "aj-Jalloum": (REB, "map", "Old City, south of the Citadel", None),
    "al-A'ajam": (REB, "map", "Old City, south of the Citadel", None),
    "Altunbogha": (REB, "map", "Old City, south of the Citadel", None),
    "al-Asileh": (REB, "map", "Old City, south of the Citadel", None),
    "Sahet Bizzeh": (REB, "map", "Old City, south of the Citadel", None),
    "Qal’et ash-Sharif": (REB, "map", "Old City, south of the Citadel", None),
    "Bab Qinnasrin": (REB, "map", "Old City, south-west gate", None),
    "Bab al-Maqam": (REB, "map", "south of the Old City", None),
    "al-Ballat": (REB, "map", "Bab al-Nairab area", None),
    "Muhammad Bek": (REB, "map", "Bab al-Nairab area", None),
    "The National Hospital": (REB, "map", "Bab al-Nairab area", None),
    # --- rebel-held east Aleppo: southern part -----------------------------
    "Maqar al-Anbiya'a": (REB, "map", "", None),
    "al-Marjeh": (REB, "map", "", None),
    "as-Salheen": (REB, "map", "", None),
    "Karm ad-Da'ada'a": (REB, "map", "", None),
    "Sheikh Sa’eed": (REB, "map", "southern tip of the rebel-held east", None),
    "as-Sukkari": (REB, "map", "", None),
    "al-Fardos": (REB, "map", "", None),
    "al-Kallaseh": (REB, "map", "", None),
    "Bustan al-Qaser": (REB, "map", "east side of the Bustan al-Qasr crossing", None),
    "Bustan az-Zahra": (
        REB,
        _J,
        "judgment: between rebel-held al-Ansari and Bustan al-Qasr; assigned to the rebels",
        None,
    ),
    "Ansari Sharqi": (REB, "map", "", None),
    "al-Ansari Mashhad": (REB, "map", "", None),
    "al-Ansari": (
        REB,
        _J,
        "judgment: the 22 Dec record places al-Ansari in the last rebel enclave; the western edge of Ansari may have been government-held",
        SRC_LAST_ENCLAVE,
    ),
    "az-Zebdiyeh": (REB, "map", "", None),
    "Salah ad-Deen": (
        REB,
        _J,
        "judgment: divided front-line quarter (rebels held its eastern part); assigned to the rebels",
        None,
    ),
    "Sayf ad-Dauleh": (
        REB,
        _J,
        "judgment: divided front-line quarter (fighting reported there in December); assigned to the rebels",
        None,
    ),
    "al-‘Amiriyeh": (REB, "map", "", None),
    "Ard As-Sabbagh": (
        REB,
        _J,
        "judgment: front-line unit between al-Hamdaniyeh (government) and al-Amiriyeh (rebels); assigned to the rebels",
        None,
    ),
    "Tal az-Zarazir": (
        REB,
        _J,
        "judgment: between rebel-held al-Amiriyeh and Sheikh Sa'eed; assigned to the rebels",
        None,
    ),
}

# --------------------------------------------------------------------------
# The record of dated reports, extending ../shared/data/aleppo/control-changes-2016.csv.
# (date, CSR names, controller, confidence, source key, note). controller SPLIT means
# government and kurdish forces 0.5 each (joint SAA/YPG advance; the reports give no shares).
# confidence: confirmed = a neutral source or two independent ones; claimed = one side's claim;
# inferred = from an area-wide report or from conflicting reports (the note says which).
# --------------------------------------------------------------------------
SPLIT = "split"
OLD_CITY_NORTH_AND_CENTRE = [
    "Souq al-Madina",
    "al-‘Aqabeh",
    "Qastal Mosht",
    "al-Bayyada",
    "Abraj",
    "Sajlikhan",
    "ad-Dudu",
    "Altunbogha",
    "al-A'ajam",
]
OLD_CITY_SOUTH_STRIP = ["aj-Jalloum", "Bab Qinnasrin", "Qal’et ash-Sharif", "Sahet Bizzeh", "al-Asileh"]
BAB_AL_HADID_UNITS = ["Qarleq", "ad-Dallaleen", "Tatarlar", "Ibn Ya'aqoub"]
BAB_AL_NAIRAB_UNITS = ["al-Ballat", "Muhammad Bek", "The National Hospital"]

RECORD: list[tuple[str, list[str], str, str, str, str]] = [
    (
        "2016-11-26",
        ["Hanano"],
        GOV,
        "confirmed",
        "ap_hanano",
        "Masaken Hanano: army says full control, SOHR says most of the district (AP)",
    ),
    (
        "2016-11-27",
        ["Jabal Badro"],
        GOV,
        "confirmed",
        "isw_nov30",
        "ISW: pro-regime forces seized Masakin Hanano, Jabal Badro, Sakhur and Haydariyah on 26-27 Nov",
    ),
    (
        "2016-11-27",
        ["Ba'aiedeen", "Ayn at-Tal"],
        SPLIT,
        "confirmed",
        "isw_nov30",
        "ISW: the SDF seized positions in Ba'edin and Ayn al-Tal; SANA (via TASS) says the army took Ayn Tel and Bayidin "
        "[judgment: rebel loss confirmed; joint SAA/SDF control written as 0.5/0.5 because the reports give no shares]",
    ),
    (
        "2016-11-27",
        ["Bustan al-Basha", "Trab al-Hellok"],
        SPLIT,
        "confirmed",
        "isw_nov30",
        "Bustan al-Basha, Hallak/Huluk: Al-Masdar says the army with the YPG took them, ISW says the SDF seized positions "
        "[judgment: Trab al-Hellok is the Hallak area; joint control written as 0.5/0.5]",
    ),
    (
        "2016-11-28",
        ["as-Sakhour", "as-Sakhour I", "al-Haydariyeh", "Sheikh Kheder"],
        GOV,
        "confirmed",
        "afp_nov28",
        "Sakhur, Haydariya, Sheikh Khodr: state TV and SOHR (AFP); SOHR: rebels lost all the northern neighbourhoods",
    ),
    (
        "2016-11-28",
        ["ash-Sheikh Fares"],
        KRD,
        "confirmed",
        "afp_nov28",
        "Sheikh Fares: Kurdish fighters (SOHR via AFP; ISW)",
    ),
    (
        "2016-11-28",
        ["Suleiman al-Halabi"],
        GOV,
        "claimed",
        "xinhua_nov28",
        "SANA (via Xinhua): the army captured the Suleiman al-Halabi water station; SOHR the same day: all the northern "
        "neighbourhoods lost [the district-level report is SANA's]",
    ),
    (
        "2016-11-30",
        ["Sheikh Sa’eed"],
        CON,
        "confirmed",
        "reuters_nov30",
        "army says it took Sheikh Saeed; rebels deny; SOHR: the rebels keep a third (Reuters)",
    ),
    (
        "2016-11-30",
        ["al-Ma'asaraniyeh Youth Housing"],
        GOV,
        "claimed",
        "southfront_dec1",
        "Ma'saraniyah Youth Housing (SouthFront)",
    ),
    (
        "2016-12-04",
        ["Karm al-Myassar", "Karm al-Qaterji", "The National Hospital"],
        CON,
        "confirmed",
        "syriadirect_dec5",
        "SANA: army took Maissar, Tahhan and the National Hospital on 4 Dec; rebels counter-attacked on 5 Dec; Syria Direct "
        "confirms fighting",
    ),
    (
        "2016-12-05",
        ["Karm aj-Jazmati", "al-Helwaniyeh"],
        GOV,
        "claimed",
        "masdar_dec5",
        "Karm al-Jazmati, Halwaniyah (Al-Masdar summary of the week)",
    ),
    (
        "2016-12-06",
        ["ash-Sha'ar", "Dahret ‘Awwad", "Jouret ‘Awwad", "Karm aj-Jabal"],
        GOV,
        "confirmed",
        "afp_dec6",
        "SOHR (AFP): regime took full control of Shaar, Dahret Awad, Juret Awad, Karam al-Beik, Karam al-Jabal; SANA confirms",
    ),
    (
        "2016-12-06",
        ["Karm al-Qaterji"],
        GOV,
        "confirmed",
        "alalam_ar_dec6",
        "al-Manar via Alalam: full control of al-Sha'ar and Karm al-Qaterji; Internazionale (7 Dec) lists Karm al-Qatirji "
        "among the districts taken",
    ),
    (
        "2016-12-06",
        ["Karm al-Myassar"],
        GOV,
        "claimed",
        "alalam_en_dec6",
        "Syrian War Information Center lists Karam al-Maysar as captured; Al-Masdar (7 Dec): the rebel counter-attack there failed",
    ),
    (
        "2016-12-07",
        ["Aghyor"] + BAB_AL_HADID_UNITS,
        GOV,
        "confirmed",
        "afp_dec7",
        "Aqyul and Bab al-Hadid taken overnight (SOHR via AFP; SANA via AP) [judgment: CSR has no Bab al-Hadid unit; "
        "applied to the small units of the Bab al-Hadid area]",
    ),
    (
        "2016-12-07",
        ["al-Farafra"] + OLD_CITY_NORTH_AND_CENTRE,
        GOV,
        "confirmed",
        "afp_dec7",
        "SOHR (AFP) and state media: the army holds all of the Old City; SOHR: clearing operations around the Umayyad "
        "Mosque [activists disputed the mosque area the same day]",
    ),
    (
        "2016-12-07",
        OLD_CITY_SOUTH_STRIP,
        CON,
        "inferred",
        "storyful_dec7",
        "SOHR and state media say all of the Old City fell, but opposition media say the rebels fell back to al-Jalum and "
        "al-Kallasa, Al-Masdar reports al-Asilah taken only on 11 Dec and SOHR al-Jalloum on 12 Dec "
        "[judgment: the walled city's southern strip is contested from 7 Dec]",
    ),
    ("2016-12-07", ["Qadi Askar"], GOV, "claimed", "masdar_dec7", "Kadi Asker entered by the Tiger Forces (Al-Masdar)"),
    (
        "2016-12-07",
        ["al-Marjeh"],
        GOV,
        "claimed",
        "masdar_dec8",
        "Marjah taken on Wednesday 7 Dec (Al-Masdar; Alalam and Press TV date it 6 Dec)",
    ),
    (
        "2016-12-07",
        BAB_AL_NAIRAB_UNITS,
        GOV,
        "claimed",
        "storyful_dec7",
        "pro-regime forces claimed Bab al-Nirab on 7 Dec (Storyful) [judgment: these CSR units are the Bab al-Nairab area]",
    ),
    (
        "2016-12-07",
        ["Karm ad-Da'ada'a"],
        CON,
        "inferred",
        "presstv_dec7",
        "Press TV: the army took 'Karm al-Dada' on 6 Dec; al-Manar (7 Dec) lists Karm al-Da'da' among the districts the "
        "rebels withdrew to; SOHR (12 Dec): the army 'completed' its control there [judgment: contested from 7 Dec]",
    ),
    ("2016-12-11", ["al-Asileh"], GOV, "claimed", "masdar_dec11", "Al-Asilah: full control (Al-Masdar)"),
    (
        "2016-12-12",
        [
            "Sheikh Sa’eed",
            "al-Kallaseh",
            "Bustan al-Qaser",
            "as-Salheen",
            "al-Fardos",
            "aj-Jalloum",
            "Karm ad-Da'ada'a",
            "Bab al-Maqam",
        ],
        GOV,
        "confirmed",
        "sohr_dec12",
        "SOHR: regained today Kallaseh, Bustan al-Qasr, Sheikh Said, al-Salhin, al-Ferdus, al-Jalloum, and completed control "
        "of Karm al-Da'da and Bab al-Maqam; state TV and the Russian MoD report the same districts",
    ),
    (
        "2016-12-12",
        ["Karm Homad"],
        GOV,
        "claimed",
        "mod_dec12",
        "Russian reconciliation centre: Sheikh Saeed, Karim Khum and Al-Maqamat liberated in the past 24 hours",
    ),
    (
        "2016-12-12",
        ["as-Sukkari"],
        CON,
        "inferred",
        "ap_dec12",
        "al-Ikhbaria TV (AP): the rebels withdrew from al-Sukkari; but AFP (14 Dec) shows a woman fleeing al-Sukari during "
        "the operation and Reuters (15 Dec) people leaving 'the al-Sukkari rebel-held sector' [judgment: contested from "
        "12 Dec, not government]",
    ),
    (
        "2016-12-22",
        ["al-Ansari", "al-Ansari Mashhad", "az-Zebdiyeh", "Salah ad-Deen", "al-‘Amiriyeh"],
        GOV,
        "confirmed",
        "icrc_dec22",
        "the evacuation of the last enclave is complete (ICRC); the army says it holds all of Aleppo",
    ),
]

# Reported names of the shared change record with no CSR unit: left out, or applied to the units of that area.
NO_POLYGON = {"Ard al-Hamra", "Inzarat", "Tariq al-Bab", "Karam al-Beik", "Sheikh Lutfi"}
APPLIED_TO_AREA = {"Bab al-Hadid": BAB_AL_HADID_UNITS}
OLD_CITY_MARK = "(several Old City units"

CONTROL_COLUMNS = ["date", "district", "controller", "share", "source", "confidence", "note"]
GEOD = Geod(ellps="WGS84")


# --------------------------------------------------------------------------
def slugify(name: str) -> str:
    """Stable short id from an English name: 'Sheikh Sa’eed' -> 'sheikh-saeed'."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[’‘'`ʿʾ]", "", s).lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    s = re.sub(r"^(al|as|ash|ad|an|az|aj|at|ar)-", "", s)
    return s


def geodesic_area(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0])


# Arabic names the CSR got wrong: English name -> (the CSR's NAME_A, the right one). Each is checked against the
# CSR file, so a corrected upstream stops the script instead of being overwritten. See data/README.md.
ARABIC_CORRECTIONS = {
    # عين التينة is Ayn at-Tineh, another name; the CSR's own English name Ayn at-Tal is عين التل, as in the
    # reports and in the shared name variants (مساكن عين التل, its housing estate).
    "Ayn at-Tal": ("عين التينة", "عين التل"),
}


def corrected_arabic(arabic: dict[str, str | None]) -> dict[str, str | None]:
    out = dict(arabic)
    for name, (csr, right) in ARABIC_CORRECTIONS.items():
        if arabic.get(name) != csr:
            raise RuntimeError(
                f"{name}: the CSR NAME_A is now {arabic.get(name)!r}, not {csr!r}: review ARABIC_CORRECTIONS"
            )
        out[name] = right
    return out


def dissolve(src: gpd.GeoDataFrame) -> tuple[list[str], list, dict[str, str | None]]:
    """One geometry per distinct NAME (not Id: Id 120 holds two names, Tishreen has three features)."""
    names = sorted(set(src["NAME"]))
    geoms, arabic = [], {}
    for name in names:
        rows = src[src["NAME"] == name]
        geoms.append(shapely.union_all(rows.geometry.values))
        values = sorted({a for a in rows["NAME_A"] if isinstance(a, str) and a.strip()})
        if len(values) > 1:
            raise RuntimeError(f"{name}: features disagree on NAME_A: {values}")
        arabic[name] = values[0] if values else None
    return names, geoms, corrected_arabic(arabic)


def simplify(names: list[str], geoms: list) -> list:
    """coverage_simplify keeps shared edges shared; then the 6-decimal grid and RFC 7946 orientation."""
    out = shapely.coverage_simplify(np.array(geoms, dtype=object), SIMPLIFY_TOLERANCE_DEG)
    out = shapely.orient_polygons(shapely.set_precision(out, 10.0**-OUTPUT_DECIMALS), exterior_cw=False)
    for name, before, after in zip(names, geoms, out):
        if not after.is_valid or after.is_empty:
            raise RuntimeError(f"{name}: simplified geometry is not valid")
        change = abs(geodesic_area(after) / geodesic_area(before) - 1)
        if change > MAX_AREA_CHANGE:
            raise RuntimeError(f"{name}: simplification changed the area by {change:.3%} (limit {MAX_AREA_CHANGE:.1%})")
    return list(out)


def _rounded(coords):
    if coords and isinstance(coords[0], (int, float)):
        return [round(v, OUTPUT_DECIMALS) for v in coords]
    return [_rounded(c) for c in coords]


def districts_geojson(names: list[str], geoms: list, arabic: dict[str, str | None]) -> str:
    ids = {name: slugify(name) for name in names}
    if len(set(ids.values())) != len(ids):
        raise RuntimeError(f"id collision: {sorted(i for i in ids.values() if list(ids.values()).count(i) > 1)}")
    feats = []
    for name, geom in sorted(zip(names, geoms), key=lambda ng: ids[ng[0]]):
        g = json.loads(shapely.to_geojson(geom))
        g["coordinates"] = _rounded(g["coordinates"])
        feats.append(
            {"type": "Feature", "properties": {"id": ids[name], "name": name, "name_ar": arabic[name]}, "geometry": g}
        )
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in feats]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def neighbours(names: list[str], geoms: list) -> dict[str, list[str]]:
    """Units closer than NEIGHBOUR_GAP_M (UTM 37N metres) to each other."""
    local = gpd.GeoSeries(geoms, crs="EPSG:4326").to_crs(LOCAL_CRS).values
    tree = shapely.STRtree(local)
    left, right = tree.query(local, predicate="dwithin", distance=NEIGHBOUR_GAP_M)
    out: dict[str, list[str]] = defaultdict(list)
    for i, j in zip(left, right):
        if i != j:
            out[names[i]].append(names[j])
    return {n: sorted(out[n]) for n in names}


def row(date, district, controller, share, source, confidence, note) -> dict:
    if confidence not in CONFIDENCES:
        raise RuntimeError(f"unknown confidence {confidence!r} ({date}, {district})")
    return {
        "date": date,
        "district": district,
        "controller": controller,
        "share": share,
        "source": source,
        "confidence": confidence,
        "note": note,
    }


def baseline_rows(names: list[str]) -> list[dict]:
    missing, extra = sorted(set(names) - set(BASELINE)), sorted(set(BASELINE) - set(names))
    if missing or extra:
        raise RuntimeError(f"baseline does not match the polygon names: missing={missing} extra={extra}")
    rows = []
    for name in names:
        controller, kind, note, source = BASELINE[name]
        if kind == "map":
            note = "mid-November front-line map" + (f"; {note}" if note else "")
        rows.append(
            row(
                BASELINE_DATE,
                name,
                controller,
                "",
                source or SRC_MAPS,
                "confirmed" if kind == "confirmed" else "inferred",
                note,
            )
        )
    return rows


def record_rows(names: list[str]) -> list[dict]:
    known, rows = set(names), []
    for date, districts, controller, confidence, key, note in RECORD:
        for d in districts:
            if d not in known:
                raise RuntimeError(f"{date}: {d!r} is not a CSR name")
            parts = [(GOV, "0.5"), (KRD, "0.5")] if controller == SPLIT else [(controller, "")]
            rows += [row(date, d, c, share, S[key], confidence, note) for c, share in parts]
    return rows


def check_extends_shared(record_path: Path, rows: list[dict]) -> None:
    """Every polygon-matched change of the shared record is in RECORD on its date."""
    have = {(r["date"], r["district"]) for r in rows}
    with open(record_path, encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            polys = [p.strip().removesuffix(" (probable match)") for p in rec["polygon_names"].split(";") if p.strip()]
            if not polys:
                reported = rec["neighbourhood_as_reported"]
                if reported in NO_POLYGON:
                    continue
                if reported not in APPLIED_TO_AREA:
                    raise RuntimeError(f"shared record row without polygon not accounted for: {reported}")
                polys = APPLIED_TO_AREA[reported]
            if polys[0].startswith(OLD_CITY_MARK):
                polys = OLD_CITY_NORTH_AND_CENTRE
            for p in polys:
                if (rec["date"], p) not in have:
                    raise RuntimeError(f"shared record change not in RECORD: {rec['date']} {p}")


def state_on(rows: list[dict], date: str) -> dict[str, set[str]]:
    """district -> controllers in force on date (rows of the latest date <= date)."""
    latest: dict[str, str] = {}
    for r in rows:
        if r["date"] <= date and r["date"] > latest.get(r["district"], ""):
            latest[r["district"]] = r["date"]
    state: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if latest.get(r["district"]) == r["date"]:
            state[r["district"]].add(r["controller"])
    return state


def surrounded_rows(rows: list[dict], nbrs: dict[str, list[str]]) -> list[dict]:
    """Rule 1 (an enclosed group cannot be held): on each report date up to 12 Dec, take the connected groups of
    units that are rebel-held or contested in the log. A group none of whose units has a later report of its own,
    and whose every outside neighbour is held by government or kurdish forces, is government-held from that date.
    (The remaining pocket always holds units with later reports, so it is never swept up by this rule.)"""
    dates = sorted({r["date"] for r in rows if BASELINE_DATE < r["date"] <= LAST_FIGHTING_DATE})
    added: list[dict] = []
    for date in dates:
        state = state_on(rows + added, date)
        held = {d for d, ctl in state.items() if ctl & {REB, CON}}
        later = {r["district"] for r in rows if r["date"] > date}
        for group in _groups(held, nbrs):
            ring = sorted({n for d in group for n in nbrs[d]} - group)
            if group & later or not ring or not all(state.get(n) for n in ring):
                continue
            for d in sorted(group):
                others = sorted(group - {d})
                note = (
                    f"no dated report of its own; every unit round it ({', '.join(ring)}) is held by government "
                    f"or kurdish forces in this log on {date}"
                )
                if others:
                    note += f" (enclosed together with {', '.join(others)})"
                added.append(row(date, d, GOV, "", _ring_source(rows + added, ring, date), "inferred", note))
    return added


def _groups(units: set[str], nbrs: dict[str, list[str]]) -> list[set[str]]:
    """Connected groups of units under the neighbour relation."""
    seen: set[str] = set()
    out = []
    for start in sorted(units):
        if start in seen:
            continue
        group, todo = set(), [start]
        while todo:
            d = todo.pop()
            if d in group:
                continue
            group.add(d)
            todo += [n for n in nbrs[d] if n in units and n not in group]
        seen |= group
        out.append(group)
    return out


def _ring_source(rows: list[dict], ring: list[str], date: str) -> str:
    """The source of the latest neighbouring change on or before date: the report that closed the ring."""
    last = max(
        (r for r in rows if r["district"] in ring and r["date"] <= date), key=lambda r: (r["date"], r["district"])
    )
    return last["source"]


def evacuation_rows(rows: list[dict]) -> list[dict]:
    """Rule 2: on 22 Dec every unit still rebel-held or contested after 12 Dec goes to the government."""
    state = state_on(rows, LAST_FIGHTING_DATE)
    named = {r["district"] for r in rows if r["date"] == EVACUATION_DATE}
    out = []
    for d in sorted(state):
        if d not in named and state[d] & {REB, CON}:
            was = "/".join(sorted(state[d]))
            out.append(
                row(
                    EVACUATION_DATE,
                    d,
                    GOV,
                    "",
                    S["icrc_dec22"],
                    "inferred",
                    f"not named in a report: still {was} in this log after {LAST_FIGHTING_DATE}; "
                    "the evacuation of the last enclave completed on 22 Dec (ICRC)",
                )
            )
    return out


def control_csv(rows: list[dict]) -> str:
    rows = sorted(rows, key=lambda r: (r["date"], r["district"], r["controller"]))
    keys = [(r["date"], r["district"], r["controller"]) for r in rows]
    if len(set(keys)) != len(keys):
        raise RuntimeError("duplicate (date, district, controller) row")
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CONTROL_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--source-dir",
        type=Path,
        default=here.parent.parent / "shared" / "data" / "aleppo",
        help="folder with neighbourhoods-csr.geojson, control-changes-2016.csv and LICENSE-csr.txt",
    )
    ap.add_argument("--out-dir", type=Path, default=here / "aleppo-2016")
    args = ap.parse_args(argv)

    paths = {
        n: args.source_dir / n for n in ("neighbourhoods-csr.geojson", "control-changes-2016.csv", "LICENSE-csr.txt")
    }
    for p in paths.values():
        if not p.is_file():
            print(f"error: input not found: {p} (use --source-dir)", file=sys.stderr)
            return 1

    names, geoms, arabic = dissolve(gpd.read_file(paths["neighbourhoods-csr.geojson"]))
    simple = simplify(names, geoms)
    base = baseline_rows(names)
    reported = record_rows(names)
    check_extends_shared(paths["control-changes-2016.csv"], reported)
    rows = base + reported
    rows += surrounded_rows(rows, neighbours(names, simple))
    rows += evacuation_rows(rows)

    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "districts.geojson").write_text(
        districts_geojson(names, simple, arabic), encoding="utf-8", newline="\n"
    )
    (args.out_dir / "control.csv").write_text(control_csv(rows), encoding="utf-8", newline="\n")
    (args.out_dir / "LICENSE-csr.txt").write_bytes(paths["LICENSE-csr.txt"].read_bytes())
    print(f"{len(names)} districts, {len(rows)} control rows ({len(base)} baseline)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
