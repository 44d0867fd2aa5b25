// The parts of ECharts the dashboard draws with. Importing them one by one
// lets the bundler leave out the rest of the library (maps, 3D…), which
// keeps the embedded bundle well under the full build's size.
import * as echarts from 'echarts/core';
import { LineChart, BarChart, PieChart, SankeyChart, GraphChart, CustomChart } from 'echarts/charts';
import {
  GridComponent, TooltipComponent, LegendComponent, DatasetComponent,
  TitleComponent, DataZoomComponent, AriaComponent, MarkLineComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  LineChart, BarChart, PieChart, SankeyChart, GraphChart, CustomChart,
  GridComponent, TooltipComponent, LegendComponent, DatasetComponent,
  TitleComponent, DataZoomComponent, AriaComponent, MarkLineComponent,
  CanvasRenderer,
]);

window.echarts = echarts;
