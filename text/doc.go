// Package text reads customer text on the machine: its language, its
// sentiment and the topics it touches, for English, Vietnamese, Thai and
// Persian. Nothing leaves the process and no outside service is called.
//
// # Reading a text
//
// Detect tells the language from the script (Thai, Arabic, Latin) and, for
// Latin text, from letters only Vietnamese uses and from common words of
// each language, which also catches Vietnamese typed without diacritics.
// Normalize puts text in the form the models read: NFC, lower case, letters
// stretched for emphasis shortened, and for Persian the unification of
// Arabic and Persian letters, digits and the zero-width non-joiner. Tokens
// splits it into words; Thai, which has no spaces between words, is read
// as runs of text whose character n-grams stand in for words.
//
// # Sentiment
//
// A Model is a multinomial logistic regression over hashed features (word
// n-grams, character n-grams, negated words, counts of polarity seed
// words), trained by Train with L-BFGS and an L2 penalty chosen on a
// validation part of the training data. The Vietnamese model also learns
// each example without its diacritics, as many customers type. Its
// weights are centred per feature and quantised to one byte, so a model
// is a few hundred kilobytes. It gives the probability of negative,
// neutral and positive; the sentiment is the most probable, the score is
// P(positive) − P(negative) in [−1, 1], the confidence the chosen
// probability.
//
// The built-in models (Builtin) are embedded from models/*.tpm. Each was
// trained by TrainHeldOut on one labelled file (label<TAB>text, read by
// ReadTSV) after Split held out a fifth of it, chosen by a fixed hash of
// each text, to measure it on. `make models` retrains them bit for bit;
// NOTICE names the data and its terms; docs/TEXT.md gives the accuracy.
//
// # Topics and themes
//
// Topics returns the topics of a CX taxonomy (delivery, price, product
// quality, customer service, website and app, payment, returns and refunds,
// waiting time, packaging, store) a text touches, from keyword lexicons
// written for each language. Group sorts a set of texts into themes: the
// taxonomy topics with their counts, and themes discovered in the texts'
// own words — frequent key phrases, grouped when they share their texts,
// and for Thai frequent character runs whose neighbours vary, which finds
// words without a dictionary.
//
// # Workspaces
//
// Analyzer implements touchpoint.TextAnalyzer, touchpoint.TextGrouper and
// touchpoint.TextModelManager: it reads each text with the model the
// workspace chose for its language — a model it trained with `touchpoint
// text train` and registered, kept in the data directory's models/ folder
// and recorded in the state store — or the built-in one.
package text
