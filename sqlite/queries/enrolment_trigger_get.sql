SELECT trigger FROM enrolment_triggers WHERE id = ?
