"""Which district a log's name finds (conflictmap.matching.DistrictIndex), on names as geoBoundaries writes them.

Every expectation is checked by hand against the raion named (a pre-2020 raion is named after its centre town;
'Покровський район' is the raion of Pokrovsk in Donetsk oblast and also that of Pokrovske in Dnipropetrovsk
oblast). No shared data is needed: the names are written here.
"""

import pytest

from conflictmap.errors import InputError
from conflictmap.matching import DistrictIndex

# Raions of adm2-raions.geojson (shapeName), with the ids of their position here.
RAIONS = [
    "Pokrovsk", "Pokrovske", "Troitske", "Kirovske", "Svatove", "Kakhovka", "Bilozerka", "Oleshky", "Marinka",
    "Popasna", "Rozdolne", "Rozdilna", "Saky", "Volnovakha", "Tokmak", "Zaporizhia", "Khmilnyk", "Leninskyi",
    "Lenine", "Bakhmut", "Izium", "Kupiansk", "Dzhankoy", "Beryslav", "Brusyliv", "Pervomaisk", "Pervomaiske",
    "Pervomaiskyi", "Dolyna", "Dolynska", "Korets",
]  # fmt: skip
OBLASTS = ["Kyiv Oblast", "Kyiv", "Odessa Oblast", "Zaporizhia Oblast", "Mykolaiv Oblast", "Kharkiv Oblast"]


def index(names, strict=False):
    return DistrictIndex([f"id{i}" for i in range(len(names))], names, strict_names=strict)


def found(names, text, strict=False):
    """The name of the district `text` finds, or the start of the error."""
    idx = index(names, strict)
    try:
        (i,) = idx.find_all(text, "log.csv line 2")
    except InputError as e:
        message = str(e)
        return "ambiguous" if "ambiguous" in message else "unknown" if "unknown district" in message else message
    return names[i]


@pytest.mark.parametrize(
    "text",
    [
        "Toretsk",  # Donetsk oblast: was given to Troitske (Luhansk oblast, 165 km away)
        "Торецьк",
        "Kirovsk",  # Luhansk oblast: was given to Kirovske (Crimea, 480 km away)
        "Кіровськ",
        "Pokrov",  # Dnipropetrovsk oblast: was given to Pokrovske (175 km away)
        "Покров",
    ],
)
def test_a_town_with_no_raion_is_unknown_not_another_raion(text):
    assert found(RAIONS, text) == "unknown"


@pytest.mark.parametrize(
    "text, raion",
    [
        ("Сватівський район", "Svatove"),
        ("Каховський район", "Kakhovka"),
        ("Kakhovskyi", "Kakhovka"),
        ("Білозерський", "Bilozerka"),
        ("Олешківський", "Oleshky"),
        ("Мар'їнський", "Marinka"),
        ("Марьинский район", "Marinka"),
        ("Попаснянський", "Popasna"),
        ("Роздольненський", "Rozdolne"),  # not Rozdilna (Роздільнянський), whose key is Rozdolne's
        ("Сакський", "Saky"),
        ("Волноваський", "Volnovakha"),
        ("Волновахский район", "Volnovakha"),
        ("Токмацький", "Tokmak"),
        ("Запорізький район", "Zaporizhia"),
        ("Бахмутський район", "Bakhmut"),
        ("Изюмский район", "Izium"),
        ("Kupyansk", "Kupiansk"),
        ("Dzhankoi", "Dzhankoy"),
        ("Кіровський район", "Kirovske"),  # the raion's own adjective still finds it
        ("Корецький район", "Korets"),
        ("Покровськ", "Pokrovsk"),  # the town: no longer ambiguous with Pokrovske
        ("Берислав", "Beryslav"),  # no longer ambiguous with Brusyliv (Zhytomyr oblast)
        ("Первомайськ", "Pervomaisk"),
        ("Роздольне", "Rozdolne"),  # Rozdilna shares the key; Rozdolne is spelled so
        ("Первомайське", "Pervomaiske"),  # the neuter is the town's name, not an adjective of Pervomaisk
    ],
)
def test_what_the_looser_tier_finds(text, raion):
    assert found(RAIONS, text) == raion


@pytest.mark.parametrize(
    "text",
    [
        "Покровський район",  # the raion of Pokrovsk and of Pokrovske
        "Ленінський район",  # Leninskyi (Sevastopol) and the Crimean raion of Lenine
        "Первомайський район",  # the raions of Pervomaisk, Pervomaiske and Pervomaiskyi
        "Долинський район",  # the raions of Dolyna (Ivano-Frankivsk oblast) and Dolynska (Kirovohrad oblast)
    ],
)
def test_an_adjective_of_several_centres_is_ambiguous(text):
    assert found(RAIONS, text) == "ambiguous"


def test_a_sound_change_does_not_stretch_the_looser_key():
    # Хмельницький read with к for ць is 'khmelnyk', whose looser key is Khmilnyk's: a different town.
    assert found(RAIONS, "Хмельницький район") == "unknown"


@pytest.mark.parametrize(
    "text, oblast",
    [
        ("Одеська область", "Odessa Oblast"),
        ("Zaporizka oblast", "Zaporizhia Oblast"),
        ("Запорожская область", "Zaporizhia Oblast"),
        ("Київська область", "Kyiv Oblast"),  # the unit word says oblast: not the city of Kyiv
        ("Миколаївська", "Mykolaiv Oblast"),
        ("Харківська область", "Kharkiv Oblast"),
    ],
)
def test_oblasts_by_their_adjectives(text, oblast):
    assert found(OBLASTS, text) == oblast


def test_without_a_unit_word_kyiv_is_the_city():
    # Київ reads 'Kyiv', exactly the city's name, as the Latin 'Kyiv' (an exact match) is (review F13);
    # 'Kyiv Oblast' has a unit word the log does not write.
    assert found(OBLASTS, "Київ") == "Kyiv"
    assert found(OBLASTS, "Kiev") == "ambiguous"  # another romanisation: spelled as neither, so the log does not say
    assert found(["Kyiv Oblast", "Kyiv Raion"], "Київ") == "ambiguous"  # neither is spelled as the name alone


def test_an_adjective_reading_is_noted_and_refused_with_strict_names():
    idx = index(RAIONS)
    (i,) = idx.find_all("Сватівський район", "log.csv line 2")
    assert RAIONS[i] == "Svatove" and idx.lookups.matched_loose == {"Сватівський район": i}
    assert "--strict-names" in found(RAIONS, "Сватівський район", strict=True)


def test_an_id_that_is_another_districts_name_is_ambiguous():
    # District A is named 'B', district B is named 'Bee' (review F): 'B' and 'b' name both, 'Bee' and 'A' one each.
    idx = DistrictIndex(["A", "B"], ["B", "Bee"])
    for text in ("B", "b"):
        with pytest.raises(InputError, match=r"the id of 'Bee' and the name of district A\); write the name 'Bee'"):
            idx.find_all(text, "log.csv line 2")
    assert idx.find_all("Bee", "log.csv line 3") == (1,) and idx.find_all("A", "log.csv line 4") == (0,)
    assert idx.id_clashes == {1}


def test_an_id_that_is_its_own_districts_name_or_another_ids_spelling_is_not_ambiguous():
    assert DistrictIndex(["b", "c"], ["B", "Cee"]).find_all("B", "log.csv line 2") == (0,)
    # No name field (names are the ids): 'a1' and 'a-1' share a key, and each id as written finds itself.
    idx = DistrictIndex(["a1", "a-1"], ["a1", "a-1"])
    assert idx.find_all("a1", "l") == (0,) and idx.find_all("a-1", "l") == (1,) and not idx.id_clashes


def test_an_unknown_name_that_mixes_scripts_says_so():
    # 'Ваkhmut' with a Cyrillic В and а (review F13): its Latin reading 'Vakhmut' is no raion; the error says why.
    with pytest.raises(InputError, match=r"unknown district 'Ваkhmut' \(it has Cyrillic and Latin letters in one word"):
        index(RAIONS).find_all("Ваkhmut", "log.csv line 2")
    assert found(RAIONS, "Bаkhmut") == "Bakhmut"  # one Cyrillic а: the looser tier reads it (and the log is warned of)
    with pytest.raises(InputError) as plain:
        index(RAIONS).find_all("Vakhmut", "log.csv line 2")
    assert "Cyrillic" not in str(plain.value)


def test_a_number_written_otherwise_than_an_id_is_unknown_with_the_id_offered():
    # Review F14: '01' against the ids 1, 2, 3 (and '1' against 01, 02) was unknown with no hint; never matched.
    with pytest.raises(InputError, match=r"unknown district '01'; did you mean the id '1' \('One'\), the same number"):
        DistrictIndex(["1", "2", "3"], ["One", "Two", "Three"]).find_all("01", "log.csv line 2")
    with pytest.raises(InputError, match=r"did you mean the id '01' \('One'\)"):
        DistrictIndex(["01", "02"], ["One", "Two"]).find_all("1", "log.csv line 2")
    assert DistrictIndex(["1", "2"], ["One", "Two"]).find_all("2.0", "l") == (1,)  # a spreadsheet's float, as before
