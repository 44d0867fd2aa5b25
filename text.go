package touchpoint

import "context"

// Languages whose text Touchpoint analyses on the machine. Other text is
// reported with language "und" (undetermined) and neutral sentiment.
const (
	LangEnglish      = "en"
	LangVietnamese   = "vi"
	LangThai         = "th"
	LangPersian      = "fa"
	LangUndetermined = "und"
)

// Sentiments a text can carry.
const (
	SentimentPositive = "positive"
	SentimentNeutral  = "neutral"
	SentimentNegative = "negative"
)

// TextAnalysis is what Touchpoint reads from one piece of customer text: a
// comment, a ticket, a review.
type TextAnalysis struct {
	Language  string `json:"language"`
	Sentiment string `json:"sentiment"`
	// Score runs from -1 (most negative) to 1 (most positive).
	Score float64 `json:"score"`
	// Confidence is the model's probability for the sentiment it chose.
	Confidence float64  `json:"confidence"`
	Topics     []string `json:"topics"`
}

// TextAnalyzer computes sentiment and topics without any outside service.
type TextAnalyzer interface {
	// Analyze reads each text with the workspace's chosen models. lang, if
	// not empty, is the language of every text; otherwise it is detected
	// per text. Returns EINVALID for an unsupported lang.
	Analyze(ctx context.Context, workspace string, texts []string, lang string) ([]TextAnalysis, error)
}
