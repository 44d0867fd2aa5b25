package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/bench/lexicon"
	"github.com/touchpoint-cx/touchpoint/text"
)

// TextEvalConfig says where the labelled sets are and which languages to
// evaluate.
type TextEvalConfig struct {
	// Dir holds <lang>.train.tsv for each language.
	Dir       string
	Languages []string
}

// TextEvalResult is the accuracy of the built-in models and of the
// lexicon baselines on the held-out part of each labelled set, and the
// speed of analysis.
type TextEvalResult struct {
	Languages []TextEvalLanguage
	// TextsPerSecond is the analysis throughput (detection, sentiment,
	// topics) over every held-out text, on one goroutine.
	TextsPerSecond float64
}

// TextEvalLanguage is one language's figures.
type TextEvalLanguage struct {
	Language     string
	Model        text.Metrics
	Baseline     text.Metrics
	BaselineName string
	// TextsPerSecond is the analysis throughput on this language's texts.
	TextsPerSecond float64
	// Bare, for Vietnamese, is the model on the same texts typed without
	// diacritics, as many customers write.
	Bare *text.Metrics
}

// TextEval measures the built-in sentiment models on the held-out part of
// each language's labelled set: the part text.Split keeps out of training,
// so these texts were never seen by the model. The lexicon baseline (VADER
// for English, hand-written word lists for the others) reads the same
// texts.
func TextEval(ctx context.Context, cfg TextEvalConfig) (*TextEvalResult, error) {
	res := &TextEvalResult{}
	analyzer := text.NewAnalyzer(text.Config{})
	var total int
	var elapsed time.Duration
	for _, lang := range cfg.Languages {
		path := filepath.Join(cfg.Dir, lang+".train.tsv")
		f, err := os.Open(path)
		if err != nil {
			return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "labelled data for %s: %s (set --sentiment-data)", lang, err.Error())
		}
		examples, err := text.ReadTSV(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		train, held := text.Split(examples)
		m, err := text.Builtin(lang)
		if err != nil {
			return nil, err
		}
		// Ties of the lexicon go to the more frequent polar class of the
		// training part.
		var pos, neg int
		for _, e := range train {
			switch e.Class {
			case text.ClassPositive:
				pos++
			case text.ClassNegative:
				neg++
			}
		}
		tie := text.ClassPositive
		if neg > pos {
			tie = text.ClassNegative
		}
		r := TextEvalLanguage{
			Language:     lang,
			Model:        text.Evaluate(m, held),
			Baseline:     text.Evaluate(lexicon.For(lang, tie), held),
			BaselineName: "VADER",
		}
		if lang != text.LangEnglish {
			r.BaselineName = "word list"
		}
		if lang == text.LangVietnamese {
			bare := make([]text.Example, len(held))
			for i, e := range held {
				bare[i] = text.Example{Class: e.Class, Text: text.StripVietnamese(text.Normalize(lang, e.Text))}
			}
			m := text.Evaluate(m, bare)
			r.Bare = &m
		}
		texts := make([]string, len(held))
		for i, e := range held {
			texts[i] = e.Text
		}
		start := time.Now()
		if _, err := analyzer.Analyze(ctx, touchpoint.DefaultWorkspace, texts, ""); err != nil {
			return nil, err
		}
		d := time.Since(start)
		r.TextsPerSecond = float64(len(texts)) / d.Seconds()
		total += len(texts)
		elapsed += d
		res.Languages = append(res.Languages, r)
	}
	if elapsed > 0 {
		res.TextsPerSecond = float64(total) / elapsed.Seconds()
	}
	return res, nil
}
