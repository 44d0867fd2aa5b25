package web

import (
	"encoding/json"
	"fmt"

	"github.com/touchpoint-cx/touchpoint"
)

// Snippets are the install instructions of a source, ready to paste.
type Snippets struct {
	Web     string
	Curl    string
	Node    string
	Python  string
	Go      string
	CSVCLI  string
	CSVHTTP string
}

// WebSnippet is the code a website pastes into its pages: it defines
// window.analytics as a queue, loads the tracker from this server, and
// records the page view. Calls made before the tracker arrives are replayed.
func WebSnippet(origin, writeKey string) string {
	return `<script>
!function(){var a=window.analytics=window.analytics||[];if(a.initialized||a.invoked)return;a.invoked=!0;
a.methods=["page","track","identify","group","alias","reset","ready"];
a.factory=function(m){return function(){var r=Array.prototype.slice.call(arguments);r.unshift(m);a.push(r);return a}};
for(var i=0;i<a.methods.length;i++){var k=a.methods[i];a[k]=a.factory(k)}
a.load=function(key,o){a._writeKey=key;a._options=o;var s=document.createElement("script");s.async=!0;
s.src=o.host+"/tp.js";var f=document.getElementsByTagName("script")[0];f.parentNode.insertBefore(s,f)};
a.load(` + jsString(writeKey) + `,{host:` + jsString(origin) + `});
a.page()}();
</script>`
}

// jsString quotes s for a script, escaping <, > and & so that nothing in
// it can close the script element.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func snippets(origin string, s *touchpoint.Source) Snippets {
	k := s.WriteKey
	return Snippets{
		Web: WebSnippet(origin, k),
		Curl: fmt.Sprintf(`curl -u %s: -H 'Content-Type: application/json' \
  -d '{"userId":"u_123","event":"Order Completed","properties":{"revenue":42}}' \
  %s/v1/track`, k, origin),
		Node: fmt.Sprintf(`// npm install @segment/analytics-node
import { Analytics } from '@segment/analytics-node'

const analytics = new Analytics({ writeKey: '%s', host: '%s' })
analytics.track({ userId: 'u_123', event: 'Order Completed', properties: { revenue: 42 } })`, k, origin),
		Python: fmt.Sprintf(`# pip install segment-analytics-python
import segment.analytics as analytics

analytics.write_key = '%s'
analytics.host = '%s'
analytics.track('u_123', 'Order Completed', {'revenue': 42})`, k, origin),
		Go: fmt.Sprintf(`// go get github.com/segmentio/analytics-go/v3
client, _ := analytics.NewWithConfig("%s", analytics.Config{Endpoint: "%s"})
defer client.Close()
client.Enqueue(analytics.Track{UserId: "u_123", Event: "Order Completed",
	Properties: analytics.NewProperties().SetRevenue(42)})`, k, origin),
		CSVCLI: fmt.Sprintf(`touchpoint import --server %s --key ADMIN_KEY --source-id %s \
  --map 'userId=customer_id,event=action,timestamp=ordered_at,properties.revenue=amount' \
  orders.csv`, origin, s.ID),
		CSVHTTP: fmt.Sprintf(`curl -H 'Authorization: Bearer ADMIN_KEY' --data-binary @orders.csv \
  '%s/api/v1/import?format=csv&source_id=%s&map=userId%%3Dcustomer_id%%2Cevent%%3Daction'`, origin, s.ID),
	}
}
