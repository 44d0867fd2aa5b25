package statetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/touchpoint-cx/touchpoint"
)

// TextBackend is what a state store implements to keep text models.
type TextBackend interface {
	touchpoint.WorkspaceService
	touchpoint.TextModelService
}

// RunTextModels runs the text model part of the suite.
func RunTextModels(t *testing.T, open func(t *testing.T) TextBackend) {
	ctx := context.Background()
	setup := func(t *testing.T) TextBackend {
		b := open(t)
		for _, id := range []string{"acme", "beta"} {
			if err := b.CreateWorkspace(ctx, &touchpoint.Workspace{ID: id, Name: id}); err != nil {
				t.Fatal(err)
			}
		}
		return b
	}
	model := func(id, lang string) *touchpoint.TextModel {
		return &touchpoint.TextModel{ID: id, Workspace: "acme", Name: "Tickets " + id, Language: lang, SHA256: "ab12", Size: 10,
			Training: json.RawMessage(`{"examples":{"pos":3}}`), CreatedBy: "api_key:test"}
	}

	t.Run("OK", func(t *testing.T) {
		b := setup(t)
		m := model("tm_1", "vi")
		if err := b.CreateTextModel(ctx, m); err != nil {
			t.Fatal(err)
		}
		if m.CreatedAt.IsZero() {
			t.Fatal("CreatedAt not set")
		}
		got, err := b.FindTextModel(ctx, "acme", "tm_1")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Tickets tm_1" || got.Language != "vi" || got.Size != 10 || string(got.Training) != `{"examples":{"pos":3}}` || !got.CreatedAt.Equal(m.CreatedAt) {
			t.Fatalf("got %+v", got)
		}
		if err := b.CreateTextModel(ctx, model("tm_2", "th")); err != nil {
			t.Fatal(err)
		}
		list, err := b.FindTextModels(ctx, "acme")
		if err != nil || len(list) != 2 {
			t.Fatalf("list %v, %v", list, err)
		}
		if other, err := b.FindTextModels(ctx, "beta"); err != nil || len(other) != 0 {
			t.Fatalf("another workspace sees %v, %v", other, err)
		}
		if _, err := b.FindTextModel(ctx, "beta", "tm_1"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("another workspace finds the model: %v", err)
		}
	})
	t.Run("Choice", func(t *testing.T) {
		b := setup(t)
		if err := b.CreateTextModel(ctx, model("tm_1", "vi")); err != nil {
			t.Fatal(err)
		}
		if c, err := b.TextModelChoices(ctx, "acme"); err != nil || len(c) != 0 {
			t.Fatalf("choices before: %v, %v", c, err)
		}
		if err := b.SetTextModelChoice(ctx, "acme", "vi", "tm_1", "api_key:test"); err != nil {
			t.Fatal(err)
		}
		if c, err := b.TextModelChoices(ctx, "acme"); err != nil || c["vi"] != "tm_1" || len(c) != 1 {
			t.Fatalf("choices: %v, %v", c, err)
		}
		if err := b.DeleteTextModel(ctx, "acme", "tm_1"); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
			t.Fatalf("delete a chosen model: %v", err)
		}
		if err := b.SetTextModelChoice(ctx, "acme", "vi", touchpoint.BuiltinModel, "api_key:test"); err != nil {
			t.Fatal(err)
		}
		if c, err := b.TextModelChoices(ctx, "acme"); err != nil || len(c) != 0 {
			t.Fatalf("choices after going back: %v, %v", c, err)
		}
		if err := b.DeleteTextModel(ctx, "acme", "tm_1"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.FindTextModel(ctx, "acme", "tm_1"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("after delete: %v", err)
		}
	})
	t.Run("ErrWrongLanguage", func(t *testing.T) {
		b := setup(t)
		if err := b.CreateTextModel(ctx, model("tm_1", "vi")); err != nil {
			t.Fatal(err)
		}
		err := b.SetTextModelChoice(ctx, "acme", "th", "tm_1", "x")
		if touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) != "model" {
			t.Fatalf("got %v", err)
		}
		err = b.SetTextModelChoice(ctx, "acme", "xx", "tm_1", "x")
		if touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) != "language" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		b := setup(t)
		if err := b.SetTextModelChoice(ctx, "acme", "vi", "tm_nope", "x"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("choose: %v", err)
		}
		if err := b.DeleteTextModel(ctx, "acme", "tm_nope"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("delete: %v", err)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		b := setup(t)
		if err := b.CreateTextModel(ctx, model("tm_1", "vi")); err != nil {
			t.Fatal(err)
		}
		if err := b.CreateTextModel(ctx, model("tm_1", "vi")); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		b := setup(t)
		for _, m := range []*touchpoint.TextModel{
			{ID: "tm_1", Workspace: "acme", Name: "", Language: "vi", SHA256: "x", Size: 1},
			{ID: "tm_1", Workspace: "acme", Name: "n", Language: "de", SHA256: "x", Size: 1},
		} {
			if err := b.CreateTextModel(ctx, m); touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) == "" {
				t.Fatalf("%+v: %v", m, err)
			}
		}
	})
}
