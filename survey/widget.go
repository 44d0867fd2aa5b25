package survey

import _ "embed"

//go:embed static/widget.js
var widgetJS []byte

// WidgetJS is the website widget's script, served by Touchpoint itself at
// /survey/v1/widget.js.
func WidgetJS() []byte { return widgetJS }
