package web

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
)

func (d *Dashboard) settingsPages() []*Page {
	return []*Page{{
		Section: "Workspace", Title: "Settings", Path: "/settings", Nav: true, Icon: "settings",
		Permission: touchpoint.PermWorkspaceAdmin, Template: "settings.html", Load: d.loadSettings,
	}}
}

// SettingsData is what the settings page shows.
type SettingsData struct {
	Rules touchpoint.IdentityRules
	// The rules as the form's fields show them.
	Unique, Limits, Blocklist string
	Keys                      []*touchpoint.APIKey
}

func (d *Dashboard) loadSettings(r *http.Request, v *View) error {
	ws := v.Workspace.ID
	rules, err := d.cfg.Profiles.IdentityRules(r.Context(), ws)
	if err != nil {
		return err
	}
	data := SettingsData{Rules: rules, Unique: strings.Join(rules.Unique, ", "), Blocklist: strings.Join(rules.Blocklist, "\n")}
	var limits []string
	for k, n := range rules.Limits {
		limits = append(limits, k+"="+strconv.Itoa(n))
	}
	sort.Strings(limits)
	data.Limits = strings.Join(limits, "\n")
	if data.Keys, err = d.cfg.APIKeys.FindAPIKeys(r.Context(), ws); err != nil {
		return err
	}
	v.Data = data
	return nil
}
