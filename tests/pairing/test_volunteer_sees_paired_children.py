import pytest
from django.urls import reverse

from pairing.models import Pairing
from pairing.services import pairing_create, pairing_end

pytestmark = pytest.mark.django_db


def test_a_paired_volunteer_reads_only_the_restricted_file_of_her_child(
    client, qinshui_officer, programme, make_child, make_volunteer
):
    volunteer = make_volunteer()
    mine, other = make_child(), make_child()
    pairing = pairing_create(programme=programme, child=mine, volunteer=volunteer, user=qinshui_officer)
    client.force_login(volunteer.user)
    # then: her child, with what she needs and nothing more
    body = client.get(reverse("children-api:child-detail", args=[mine.pk])).json()
    assert body["given_name"] == mine.given_name
    assert "id_number" not in body and "id_number_masked" not in body
    assert body["guardian_phone"] is None and body["address_detail"] is None  # the programme does not allow them
    assert "family_name" not in body
    # another child stays unknown to her
    assert client.get(reverse("children-api:child-detail", args=[other.pk])).status_code == 404
    # and once the pairing ends, so does hers
    pairing_end(pairing=pairing, user=qinshui_officer, reason=Pairing.EndReason.MOVED)
    assert client.get(reverse("children-api:child-detail", args=[mine.pk])).status_code == 404
