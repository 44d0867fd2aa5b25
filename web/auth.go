package web

import (
	"context"
	"crypto/subtle"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
)

// CookieName is the session cookie. It holds a random token; the server
// keeps only its hash.
const CookieName = "tp_session"

// session is the signed-in user of a request.
type session struct {
	id    string
	user  *touchpoint.User
	actor *touchpoint.Actor
	csrf  string
}

type ctxKey int

const sessionCtx ctxKey = iota

func sessionFrom(r *http.Request) *session {
	s, _ := r.Context().Value(sessionCtx).(*session)
	return s
}

// authenticate reads the session cookie. ok is false when there is none.
// A session whose user is no longer a member of its workspace moves to
// another workspace of theirs, or ends if there is none.
func (d *Dashboard) authenticate(r *http.Request) (s *session, ok bool, err error) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, false, nil
	}
	ctx := r.Context()
	ses, err := d.cfg.Sessions.AuthenticateSession(ctx, c.Value)
	if err != nil {
		return nil, true, err
	}
	if ses.Role == "" {
		ms, err := d.cfg.Users.Memberships(ctx, touchpoint.MembershipFilter{UserID: &ses.UserID})
		if err != nil {
			return nil, true, err
		}
		if len(ms) == 0 {
			d.cfg.Sessions.DeleteSession(ctx, ses.ID)
			return nil, true, touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "you are no longer a member of any workspace")
		}
		if err := d.cfg.Sessions.SetSessionWorkspace(ctx, ses.ID, ms[0].Workspace); err != nil {
			return nil, true, err
		}
		ses.Workspace, ses.Role = ms[0].Workspace, ms[0].Role
	}
	return &session{
		id:    ses.ID,
		user:  ses.User,
		csrf:  ses.CSRFToken,
		actor: &touchpoint.Actor{Kind: "user", ID: ses.UserID, Name: ses.User.Email, Workspace: ses.Workspace, Role: ses.Role},
	}, true, nil
}

// SessionActor lets the admin API accept a signed-in user: a request with
// the session cookie acts as that user with their role in the session's
// workspace. A request that changes something must come from this site and
// carry the session's CSRF token in the X-CSRF-Token header.
func (d *Dashboard) SessionActor(r *http.Request) (*touchpoint.Actor, bool, error) {
	s, ok, err := d.authenticate(r)
	if !ok || err != nil {
		return nil, ok, err
	}
	if err := d.checkCSRF(r, s, r.Header.Get("X-CSRF-Token")); err != nil {
		return nil, true, err
	}
	return s.actor, true, nil
}

// checkCSRF refuses a state-changing request from another site, or one
// without the session's token.
func (d *Dashboard) checkCSRF(r *http.Request, s *session, token string) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if err := d.csrf.Check(r); err != nil {
		return touchpoint.Errorf(touchpoint.EFORBIDDEN, "this request came from another site and was refused")
	}
	if token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(s.csrf)) != 1 {
		return touchpoint.Errorf(touchpoint.EFORBIDDEN, "the form was out of date (missing or wrong CSRF token): reload the page and try again")
	}
	return nil
}

// requireSession lets signed-in users through and sends everyone else to
// the sign-in page (or answers 401 to scripts). Posts must carry the CSRF
// token as the csrf_token form field or the X-CSRF-Token header.
func (d *Dashboard) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok, err := d.authenticate(r)
		if !ok || touchpoint.ErrorCode(err) == touchpoint.EUNAUTHORIZED {
			if ok {
				d.clearCookie(w, r)
			}
			if r.Method == http.MethodGet && r.Header.Get("HX-Request") == "" {
				q := url.Values{}
				if r.URL.Path != "/" {
					q.Set("next", r.URL.RequestURI())
				}
				if err != nil {
					q.Set("ended", "1")
				}
				target := "/login"
				if len(q) > 0 {
					target += "?" + q.Encode()
				}
				http.Redirect(w, r, target, http.StatusSeeOther)
				return
			}
			d.renderError(w, r, touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "You are not signed in. Sign in and try again."))
			return
		}
		if err != nil {
			d.renderError(w, r, err)
			return
		}
		token := r.Header.Get("X-CSRF-Token")
		if token == "" && r.Method == http.MethodPost {
			token = r.PostFormValue("csrf_token")
		}
		if err := d.checkCSRF(r, s, token); err != nil {
			d.renderError(w, r.WithContext(context.WithValue(r.Context(), sessionCtx, s)), err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionCtx, s)))
	})
}

// secureCookies tells whether the browser reached us over HTTPS (or on
// this machine, where browsers accept Secure cookies over plain HTTP).
func secureCookies(r *http.Request) bool {
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		return true
	}
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

func (d *Dashboard) setCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: "/", HttpOnly: true, Secure: secureCookies(r),
		SameSite: http.SameSiteLaxMode, MaxAge: int(touchpoint.SessionMaxAge.Seconds())})
}

func (d *Dashboard) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", HttpOnly: true, Secure: secureCookies(r),
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// LoginData is what the sign-in page shows.
type LoginData struct {
	Email, Next, Error, Notice string
}

func (d *Dashboard) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	if s, ok, err := d.authenticate(r); ok && err == nil {
		http.Redirect(w, r, d.home(s), http.StatusSeeOther)
		return
	}
	data := LoginData{Next: safeNext(r.URL.Query().Get("next"))}
	switch {
	case r.URL.Query().Get("ended") != "":
		data.Notice = "Your session has ended. Sign in again to continue."
	case r.URL.Query().Get("out") != "":
		data.Notice = "You are signed out."
	}
	d.render(w, r, "login.html", &View{Title: "Sign in", Data: data, Status: http.StatusOK})
}

// handleLogin checks an email and password and starts a session in the
// user's first workspace.
func (d *Dashboard) handleLogin(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	data := LoginData{Email: email, Next: safeNext(r.PostFormValue("next"))}
	fail := func(status int, msg string) {
		data.Error = msg
		d.render(w, r, "login.html", &View{Title: "Sign in", Data: data, Status: status})
	}
	ip := clientIP(r)
	if wait := d.throttle.wait(email, ip); wait > 0 {
		fail(http.StatusTooManyRequests, fmt.Sprintf("Too many failed sign-ins. Wait %d minutes and try again.", int(math.Ceil(wait.Minutes()))))
		return
	}
	u, err := d.cfg.Users.AuthenticateUser(r.Context(), email, r.PostFormValue("password"))
	if touchpoint.ErrorCode(err) == touchpoint.EUNAUTHORIZED {
		d.throttle.failed(email, ip)
		fail(http.StatusUnauthorized, "That email and password do not match. Check both and try again.")
		return
	} else if err != nil {
		d.renderError(w, r, err)
		return
	}
	d.throttle.succeeded(email)
	ms, err := d.cfg.Users.Memberships(r.Context(), touchpoint.MembershipFilter{UserID: &u.ID})
	if err != nil {
		d.renderError(w, r, err)
		return
	}
	if len(ms) == 0 {
		fail(http.StatusForbidden, "Your account is not a member of any workspace. Ask an owner or admin to invite you.")
		return
	}
	if err := d.startSession(w, r, u.ID, ms[0].Workspace); err != nil {
		d.renderError(w, r, err)
		return
	}
	next := data.Next
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (d *Dashboard) startSession(w http.ResponseWriter, r *http.Request, userID, workspace string) error {
	token, err := d.cfg.Sessions.CreateSession(r.Context(), &touchpoint.Session{UserID: userID, Workspace: workspace})
	if err != nil {
		return err
	}
	d.setCookie(w, r, token)
	return nil
}

func (d *Dashboard) handleLogout(w http.ResponseWriter, r *http.Request) {
	if err := d.cfg.Sessions.DeleteSession(r.Context(), sessionFrom(r).id); err != nil {
		d.renderError(w, r, err)
		return
	}
	d.clearCookie(w, r)
	http.Redirect(w, r, "/login?out=1", http.StatusSeeOther)
}

// handleSwitchWorkspace moves the session to another workspace the user
// is a member of.
func (d *Dashboard) handleSwitchWorkspace(w http.ResponseWriter, r *http.Request) {
	s := sessionFrom(r)
	ws := r.PostFormValue("workspace")
	ms, err := d.cfg.Users.Memberships(r.Context(), touchpoint.MembershipFilter{UserID: &s.user.ID, Workspace: &ws})
	if err != nil {
		d.renderError(w, r, err)
		return
	}
	if len(ms) == 0 {
		d.renderError(w, r, touchpoint.Errorf(touchpoint.EFORBIDDEN, "You are not a member of workspace %q.", ws))
		return
	}
	if err := d.cfg.Sessions.SetSessionWorkspace(r.Context(), s.id, ws); err != nil {
		d.renderError(w, r, err)
		return
	}
	s.actor = &touchpoint.Actor{Kind: "user", ID: s.user.ID, Name: s.user.Email, Workspace: ws, Role: ms[0].Role}
	next := safeNext(r.PostFormValue("next"))
	if next == "" || strings.Count(next, "/") > 1 {
		// A page of one record (a profile, a source) does not exist in
		// the other workspace: go to the top of the section instead.
		next = d.home(s)
		if p := safeNext(r.PostFormValue("next")); p != "" {
			if i := strings.Index(p[1:], "/"); i >= 0 {
				next = p[:i+1]
			}
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// AccountData is what the account page shows.
type AccountData struct {
	Error, Notice string
	Memberships   []WorkspaceChoice
}

func (d *Dashboard) loadAccount(r *http.Request, v *View) error {
	data := AccountData{Memberships: v.Workspaces}
	if r.URL.Query().Get("changed") != "" {
		data.Notice = "Your password was changed. Other browsers signed in as you were signed out."
	}
	v.Data = data
	return nil
}

// handleChangePassword checks the current password, sets the new one and
// ends the user's other sessions.
func (d *Dashboard) handleChangePassword(w http.ResponseWriter, r *http.Request) {
	s := sessionFrom(r)
	fail := func(status int, msg string) {
		v, err := d.view(r, &Page{Title: "Your account", Template: "account.html"})
		if err != nil {
			d.renderError(w, r, err)
			return
		}
		d.loadAccount(r, v)
		data := v.Data.(AccountData)
		data.Error = msg
		v.Data, v.Status = data, status
		d.render(w, r, "account.html", v)
	}
	ip := clientIP(r)
	if wait := d.throttle.wait(s.user.Email, ip); wait > 0 {
		fail(http.StatusTooManyRequests, fmt.Sprintf("Too many wrong passwords. Wait %d minutes and try again.", int(math.Ceil(wait.Minutes()))))
		return
	}
	if _, err := d.cfg.Users.AuthenticateUser(r.Context(), s.user.Email, r.PostFormValue("current_password")); err != nil {
		if touchpoint.ErrorCode(err) == touchpoint.EUNAUTHORIZED {
			d.throttle.failed(s.user.Email, ip)
			fail(http.StatusUnauthorized, "Your current password is not right.")
			return
		}
		d.renderError(w, r, err)
		return
	}
	pw := r.PostFormValue("new_password")
	if pw != r.PostFormValue("confirm_password") {
		fail(http.StatusBadRequest, "The new password and its confirmation differ.")
		return
	}
	if err := touchpoint.ValidatePassword("new password", pw, s.user.Email); err != nil {
		fail(http.StatusBadRequest, touchpoint.ErrorMessage(err))
		return
	}
	if err := d.cfg.Users.SetPassword(r.Context(), s.user.ID, pw); err != nil {
		d.renderError(w, r, err)
		return
	}
	if err := d.cfg.Sessions.DeleteUserSessions(r.Context(), s.user.ID, s.id); err != nil {
		d.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?changed=1", http.StatusSeeOther)
}

// InviteData is what the invitation page shows.
type InviteData struct {
	Invitation    *touchpoint.Invitation
	WorkspaceName string
	// HasAccount is set when a user with the invited email exists: they
	// sign in to accept instead of choosing a password.
	HasAccount bool
	Name       string
	Error      string
}

func (d *Dashboard) invite(r *http.Request) (*InviteData, error) {
	inv, err := d.cfg.Users.FindInvitation(r.Context(), chi.URLParam(r, "token"))
	if err != nil {
		return nil, err
	}
	now := d.cfg.Clock.Now()
	switch {
	case inv.AcceptedAt != nil:
		return nil, touchpoint.Errorf(touchpoint.ECONFLICT, "This invitation was already used. Sign in instead.")
	case inv.RevokedAt != nil:
		return nil, touchpoint.Errorf(touchpoint.ECONFLICT, "This invitation was withdrawn. Ask for a new one.")
	case !inv.Pending(now):
		return nil, touchpoint.Errorf(touchpoint.ECONFLICT, "This invitation expired on %s. Ask for a new one.", inv.ExpiresAt.Format("2 January 2006"))
	}
	data := &InviteData{Invitation: inv, WorkspaceName: inv.Workspace}
	if ws, err := d.cfg.Workspaces.FindWorkspace(r.Context(), inv.Workspace); err == nil {
		data.WorkspaceName = ws.Name
	}
	if _, err := d.cfg.Users.FindUserByEmail(r.Context(), inv.Email); err == nil {
		data.HasAccount = true
	} else if touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
		return nil, err
	}
	return data, nil
}

func (d *Dashboard) handleInvitePage(w http.ResponseWriter, r *http.Request) {
	data, err := d.invite(r)
	if err != nil {
		d.renderError(w, r, err)
		return
	}
	d.render(w, r, "invite.html", &View{Title: "Join " + data.WorkspaceName, Data: data, Status: http.StatusOK})
}

// handleAcceptInvite creates the invited person's account (or checks the
// password of the one they have), accepts the invitation and signs them in.
func (d *Dashboard) handleAcceptInvite(w http.ResponseWriter, r *http.Request) {
	data, err := d.invite(r)
	if err != nil {
		d.renderError(w, r, err)
		return
	}
	fail := func(status int, msg string) {
		data.Error = msg
		d.render(w, r, "invite.html", &View{Title: "Join " + data.WorkspaceName, Data: data, Status: status})
	}
	ctx, email, pw := r.Context(), data.Invitation.Email, r.PostFormValue("password")
	var u *touchpoint.User
	if data.HasAccount {
		ip := clientIP(r)
		if wait := d.throttle.wait(email, ip); wait > 0 {
			fail(http.StatusTooManyRequests, fmt.Sprintf("Too many wrong passwords. Wait %d minutes and try again.", int(math.Ceil(wait.Minutes()))))
			return
		}
		if u, err = d.cfg.Users.AuthenticateUser(ctx, email, pw); touchpoint.ErrorCode(err) == touchpoint.EUNAUTHORIZED {
			d.throttle.failed(email, ip)
			fail(http.StatusUnauthorized, "That is not the password of "+email+".")
			return
		}
	} else {
		data.Name = strings.TrimSpace(r.PostFormValue("name"))
		if pw != r.PostFormValue("confirm_password") {
			fail(http.StatusBadRequest, "The password and its confirmation differ.")
			return
		}
		u = &touchpoint.User{Email: email, Name: data.Name}
		if err = d.cfg.Users.CreateUser(ctx, u, pw); touchpoint.ErrorCode(err) == touchpoint.EINVALID {
			fail(http.StatusBadRequest, touchpoint.ErrorMessage(err))
			return
		}
	}
	if err != nil {
		d.renderError(w, r, err)
		return
	}
	token := chi.URLParam(r, "token")
	if _, err := d.cfg.Users.AcceptInvitation(ctx, token, u.ID); err != nil {
		d.renderError(w, r, err)
		return
	}
	if err := d.startSession(w, r, u.ID, data.Invitation.Workspace); err != nil {
		d.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// clientIP is the address a request came from, for throttling.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ago describes how long before now t was, in words.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case t.IsZero():
		return "never"
	case d < 0:
		return "just now"
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d.Minutes()), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d.Hours()), "hour") + " ago"
	case d < 60*24*time.Hour:
		return plural(int(d.Hours()/24), "day") + " ago"
	}
	return t.Format("2 Jan 2006")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
