import CNcursesw
import CReadline
import HunchCore
