package web

import (
	"net/http"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
)

// Page is one page of the dashboard. A feature adds pages by returning them
// from a method named in allPages; the dashboard routes each one, checks
// its permission before loading it, and lists it in the navigation of
// everyone whose role grants the permission.
type Page struct {
	// Section groups pages in the navigation: Insights, Analytics,
	// Customers, Journeys, Data, Workspace (in the order of sectionOrder).
	Section string
	Title   string
	// Path is a chi pattern, e.g. "/profiles/{id}".
	Path string
	// Nav lists the page in the navigation; pages reached from another
	// page (a profile, a source) leave it false.
	Nav bool
	// Icon names a symbol in static/icons.svg.
	Icon string
	// Permission is what a role needs to open the page; "" lets every
	// signed-in user in.
	Permission touchpoint.Permission
	// Template is the page's file in templates/; it defines "content".
	Template string
	// Scripts are extra files under /static/ the page needs (charts).
	Scripts []string
	// Styles are extra stylesheets under /static/.
	Styles []string
	// Load fills v.Data (and may change v.Title) before rendering.
	Load func(r *http.Request, v *View) error
}

// sectionOrder is the order of the navigation's sections.
var sectionOrder = []string{"Insights", "Analytics", "Customers", "Journeys", "Data", "Workspace"}

// NavSection is a heading of the navigation and its links.
type NavSection struct {
	Title string
	Links []NavLink
}

// NavLink is one entry of the navigation.
type NavLink struct {
	Title, Path, Icon string
	Active            bool
}

// nav lists the pages the actor may open, by section.
func (d *Dashboard) nav(a *touchpoint.Actor, current string) []NavSection {
	var out []NavSection
	for _, sec := range sectionOrder {
		ns := NavSection{Title: sec}
		for _, p := range d.pages {
			if !p.Nav || p.Section != sec || (p.Permission != "" && !a.Can(p.Permission)) {
				continue
			}
			active := current == p.Path || strings.HasPrefix(current, p.Path+"/")
			ns.Links = append(ns.Links, NavLink{Title: p.Title, Path: p.Path, Icon: p.Icon, Active: active})
		}
		if len(ns.Links) > 0 {
			out = append(out, ns)
		}
	}
	return out
}
