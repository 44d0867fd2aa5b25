SELECT key::VARCHAR, pnum, y, touch_act, kind FROM dr_samples
