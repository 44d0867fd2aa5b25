package journey_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/touchpoint-cx/touchpoint"
)

func TestPreviewMessage(t *testing.T) {
	b := setup(t)
	b.apply(b.identify("ana", map[string]any{"first_name": "Ana", "email": "Ana@Example.com", "phone": "+14155550100"}))
	email := touchpoint.JourneyStep{ID: "mail", Type: touchpoint.NodeEmail, Message: &touchpoint.MessageContent{
		Subject: `{{.profile.traits.first_name | default "Hi"}}, your cart of {{.event.properties.value}} is waiting`,
		HTML:    `<p>Hello {{.profile.traits.first_name}} <b>{{.event.properties.note}}</b></p>`,
	}}

	t.Run("Email", func(t *testing.T) {
		got, err := b.eng.PreviewMessage(b.ctx, ws, touchpoint.MessagePreviewRequest{Profile: "user_id:ana", Node: email,
			Event: &touchpoint.DryRunEvent{Name: "Cart Abandoned", Properties: json.RawMessage(`{"value":75,"note":"<script>x</script>"}`)}})
		if err != nil {
			t.Fatal(err)
		}
		if got.Subject != "Ana, your cart of 75 is waiting" || got.To != "ana@example.com" || got.Channel != "email" {
			t.Fatalf("preview %+v", got)
		}
		// The HTML part escapes what the data holds, and gets the footer
		// every email gets when its template has no unsubscribe link.
		if !strings.Contains(got.HTML, "&lt;script&gt;") || !strings.Contains(got.HTML, "https://cx.example/u/preview") {
			t.Fatalf("html %s", got.HTML)
		}
		if !strings.HasPrefix(got.Text, "Hello Ana") || !strings.Contains(got.Text, "Unsubscribe: https://cx.example/u/preview") {
			t.Fatalf("text part %q", got.Text)
		}
	})
	t.Run("SMSWithoutEvent", func(t *testing.T) {
		got, err := b.eng.PreviewMessage(b.ctx, ws, touchpoint.MessagePreviewRequest{Profile: "user_id:ana",
			Node: touchpoint.JourneyStep{ID: "s", Type: touchpoint.NodeSMS, Message: &touchpoint.MessageContent{Text: "Hi {{.profile.traits.first_name}}{{.event.properties.value}}"}}})
		if err != nil || got.Text != "Hi Ana" || got.To != "+14155550100" {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("Webhook", func(t *testing.T) {
		got, err := b.eng.PreviewMessage(b.ctx, ws, touchpoint.MessagePreviewRequest{Profile: "user_id:ana", JourneyID: "cart",
			Node: touchpoint.JourneyStep{ID: "h", Type: touchpoint.NodeWebhook, URL: "https://hooks.example/x"}})
		if err != nil || !strings.Contains(got.Body, `"first_name": "Ana"`) || !strings.Contains(got.Body, `"id": "cart"`) {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("ErrTemplate", func(t *testing.T) {
		bad := email
		bad.Message = &touchpoint.MessageContent{Subject: "{{.profile.traits.first_name", Text: "x"}
		_, err := b.eng.PreviewMessage(b.ctx, ws, touchpoint.MessagePreviewRequest{Profile: "user_id:ana", Node: bad})
		var te *touchpoint.Error
		if !errors.As(err, &te) || te.Field != "node.message.subject" || !strings.HasPrefix(te.Message, "node.message.subject: ") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("ErrNoSubject", func(t *testing.T) {
		bad := email
		bad.Message = &touchpoint.MessageContent{Text: "x"}
		_, err := b.eng.PreviewMessage(b.ctx, ws, touchpoint.MessagePreviewRequest{Profile: "user_id:ana", Node: bad})
		var te *touchpoint.Error
		if !errors.As(err, &te) || te.Field != "node.message.subject" {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("ErrUnknownProfile", func(t *testing.T) {
		_, err := b.eng.PreviewMessage(b.ctx, ws, touchpoint.MessagePreviewRequest{Profile: "user_id:nobody", Node: email})
		if touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("ErrNotAMessage", func(t *testing.T) {
		_, err := b.eng.PreviewMessage(b.ctx, ws, touchpoint.MessagePreviewRequest{Profile: "user_id:ana", Node: touchpoint.JourneyStep{ID: "w", Type: touchpoint.NodeWait}})
		var te *touchpoint.Error
		if !errors.As(err, &te) || te.Field != "node.type" {
			t.Fatalf("error %v", err)
		}
	})
}
