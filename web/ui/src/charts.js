// The parts of ECharts the dashboard draws with. Importing them one by one
// lets the bundler leave out the rest of the library (maps, 3D, graphs…),
// which keeps the embedded bundle a third of the full build's size.
import * as echarts from 'echarts/core';
import { LineChart, BarChart, PieChart } from 'echarts/charts';
import {
  GridComponent, TooltipComponent, LegendComponent, DatasetComponent,
  TitleComponent, DataZoomComponent, AriaComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  LineChart, BarChart, PieChart,
  GridComponent, TooltipComponent, LegendComponent, DatasetComponent,
  TitleComponent, DataZoomComponent, AriaComponent,
  CanvasRenderer,
]);

window.echarts = echarts;
