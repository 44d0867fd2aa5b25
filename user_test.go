package touchpoint_test

import (
	"testing"

	"github.com/touchpoint-cx/touchpoint"
)

func TestRoles(t *testing.T) {
	cases := []struct {
		role touchpoint.Role
		can  []touchpoint.Permission
		not  []touchpoint.Permission
	}{
		{touchpoint.RoleOwner, []touchpoint.Permission{touchpoint.PermUsersManage, touchpoint.PermPrivacyManage}, nil},
		{touchpoint.RoleAnalyst, []touchpoint.Permission{touchpoint.PermAnalyticsRead, touchpoint.PermProfilesRead}, []touchpoint.Permission{touchpoint.PermJourneysWrite, touchpoint.PermUsersManage}},
		{touchpoint.RoleMarketer, []touchpoint.Permission{touchpoint.PermJourneysWrite, touchpoint.PermSurveysWrite}, []touchpoint.Permission{touchpoint.PermSourcesManage}},
		{touchpoint.RoleSupport, []touchpoint.Permission{touchpoint.PermCasesWrite}, []touchpoint.Permission{touchpoint.PermAnalyticsRead, touchpoint.PermEventsRead}},
		{touchpoint.RoleViewer, []touchpoint.Permission{touchpoint.PermOverviewRead}, []touchpoint.Permission{touchpoint.PermProfilesRead, touchpoint.PermEventsRead, touchpoint.PermWorkspaceAdmin}},
	}
	for _, c := range cases {
		for _, p := range c.can {
			if !c.role.Can(p) {
				t.Errorf("%s cannot %s", c.role, p)
			}
		}
		for _, p := range c.not {
			if c.role.Can(p) {
				t.Errorf("%s can %s", c.role, p)
			}
		}
	}
	if _, err := touchpoint.ParseRole("superuser"); touchpoint.ErrorField(err) != "role" {
		t.Fatalf("ParseRole: %v", err)
	}
	if r, err := touchpoint.ParseRole(" Analyst "); err != nil || r != touchpoint.RoleAnalyst {
		t.Fatalf("ParseRole: %v %v", r, err)
	}
	if touchpoint.RoleAdmin.Outranks(touchpoint.RoleOwner) || !touchpoint.RoleOwner.Outranks(touchpoint.RoleOwner) || !touchpoint.RoleAdmin.Outranks(touchpoint.RoleViewer) || touchpoint.RoleViewer.Outranks(touchpoint.RoleAnalyst) {
		t.Fatal("Outranks")
	}
	var nobody *touchpoint.Actor
	if nobody.Can(touchpoint.PermOverviewRead) || touchpoint.ErrorCode(touchpoint.Forbidden(nobody, touchpoint.PermOverviewRead)) != touchpoint.EFORBIDDEN {
		t.Fatal("nil actor")
	}
}
