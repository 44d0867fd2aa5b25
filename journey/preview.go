package journey

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/channel"
)

// PreviewMessage renders a message step for one customer the way the
// dispatcher renders it when sending: the same data (profile, trigger
// event, journey), the same template functions and options, the same
// unsubscribe footer. It sends nothing and records nothing. The links a
// real message carries are placeholders: an unsubscribe link that works
// would let whoever clicks the preview unsubscribe the customer.
func (e *Engine) PreviewMessage(ctx context.Context, workspace string, req touchpoint.MessagePreviewRequest) (*touchpoint.MessagePreview, error) {
	if strings.TrimSpace(req.Profile) == "" {
		return nil, touchpoint.FieldError("profile", "required: a profile id or kind:value identifier to preview the message for")
	}
	n := req.Node
	ch := map[string]string{touchpoint.NodeEmail: touchpoint.ChannelEmail, touchpoint.NodeSMS: touchpoint.ChannelSMS,
		touchpoint.NodeInApp: touchpoint.ChannelInApp, touchpoint.NodeWebhook: touchpoint.ChannelWebhook, touchpoint.NodeSurvey: n.Channel}[n.Type]
	if ch == "" {
		return nil, touchpoint.FieldError("node.type", "must be email, sms, in_app, survey or webhook (a survey step with its channel)")
	}
	if err := checkPreviewNode(ctx, workspace, n); err != nil {
		return nil, err
	}
	p, err := e.profileByRef(ctx, workspace, req.Profile)
	if err != nil {
		return nil, err
	}
	settings, err := e.cfg.Store.MessagingSettings(ctx, workspace)
	if err != nil {
		return nil, err
	}
	ev := &touchpoint.Event{ID: "preview", Workspace: workspace, Type: touchpoint.TypeTrack, Timestamp: e.cfg.Clock.Now().UTC()}
	if req.Event != nil {
		ev.Event, ev.Properties, ev.Context = req.Event.Name, req.Event.Properties, req.Event.Context
	}
	base := strings.TrimRight(e.cfg.PublicURL, "/")
	data := map[string]any{
		"profile": profileVars(p),
		"event":   triggerVars(recordOf(ev)),
		"journey": map[string]any{"id": req.JourneyID, "version": 0, "node": n.ID, "enrolment_id": "preview"},
		"message": map[string]any{"id": "preview"},
	}
	out := &touchpoint.MessagePreview{ProfileID: p.ID, Channel: ch}
	if touchpoint.IsConsentChannel(ch) {
		data["unsubscribe_url"] = base + "/u/preview"
	}
	if n.Type == touchpoint.NodeSurvey {
		data["survey_url"] = base + "/s/preview"
	}
	switch ch {
	case touchpoint.ChannelEmail:
		out.To = addressOf(p, touchpoint.KindEmail)
	case touchpoint.ChannelSMS:
		out.To = addressOf(p, touchpoint.KindPhone)
	}
	text := func(field, src string) (string, error) {
		if src == "" {
			return "", nil
		}
		t, err := texttemplate.New(field).Funcs(touchpoint.TemplateFuncs).Option("missingkey=zero").Parse(src)
		if err != nil {
			return "", touchpoint.FieldError("node."+field, "template: %s", err.Error())
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return "", touchpoint.FieldError("node."+field, "%s", err.Error())
		}
		return strings.ReplaceAll(b.String(), "<no value>", ""), nil
	}
	if n.Type == touchpoint.NodeWebhook {
		if n.Body != "" {
			out.Body, err = text("body", n.Body)
			return out, err
		}
		b, err := json.MarshalIndent(map[string]any{"id": "preview", "journey": data["journey"], "profile": data["profile"], "event": data["event"], "sent_at": ev.Timestamp}, "", "  ")
		out.Body = string(b)
		return out, err
	}
	c := n.Message
	for _, f := range []struct {
		name, src string
		dst       *string
	}{{"message.subject", c.Subject, &out.Subject}, {"message.text", c.Text, &out.Text}, {"message.title", c.Title, &out.Title},
		{"message.url", c.URL, &out.URL}, {"message.from", c.From, &out.From}} {
		if *f.dst, err = text(f.name, f.src); err != nil {
			return nil, err
		}
	}
	if out.From == "" {
		out.From = settings.From
	}
	if c.HTML != "" {
		t, err := htmltemplate.New("html").Funcs(htmltemplate.FuncMap(touchpoint.TemplateFuncs)).Option("missingkey=zero").Parse(c.HTML)
		if err != nil {
			return nil, touchpoint.FieldError("node.message.html", "template: %s", err.Error())
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return nil, touchpoint.FieldError("node.message.html", "%s", err.Error())
		}
		out.HTML = b.String()
	}
	if ch == touchpoint.ChannelEmail {
		link, _ := data["unsubscribe_url"].(string)
		out.Text, out.HTML = withUnsubscribe(c, out.Text, out.HTML, link)
		if out.Text == "" && out.HTML != "" {
			out.Text = channel.PlainText(out.HTML)
		}
	}
	return out, nil
}

// checkPreviewNode applies the checks a journey's save applies to the
// node, so that a preview refuses what saving would refuse, naming the
// field as "node.…" instead of "nodes[i].…". Links and outbound URLs are
// not checked: a preview sends nothing anywhere.
func checkPreviewNode(ctx context.Context, workspace string, n touchpoint.JourneyStep) error {
	n.Next, n.TimeoutNext, n.Position = "", "", nil
	if n.ID == "" || n.ID == touchpoint.EntryNodeID {
		n.ID = "preview"
	}
	def := touchpoint.JourneyDefinition{Name: "preview", Entry: touchpoint.JourneyEntry{Type: touchpoint.EntryAPI, Next: n.ID}, Nodes: []touchpoint.JourneyStep{n}}
	err := def.Validate(ctx, workspace, nil)
	if err == nil {
		return nil
	}
	var te *touchpoint.Error
	if !errors.As(err, &te) || !strings.HasPrefix(te.Field, "nodes[0]") {
		return err
	}
	return &touchpoint.Error{Code: te.Code, Field: "node" + strings.TrimPrefix(te.Field, "nodes[0]"),
		Message: "node" + strings.TrimPrefix(te.Message, "nodes[0]")}
}
